package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// Settings are the parts of the receiver's configuration the inventory reads.
type Settings struct {
	// FullSyncInterval is the period of full syncs (complete listings, deletion detection).
	FullSyncInterval time.Duration
	// IncrementalInterval is the period of lastUpdated delta queries.
	IncrementalInterval time.Duration
	// Enabled reports whether a resource type (an okta.resource.type value) is collected.
	Enabled func(typ string) bool
	// Persist says that a storage extension is configured: the inventory state is then
	// written to Params.Storage and read back at the first full sync.
	Persist bool
}

// Params is what the receiver hands to the inventory.
type Params struct {
	Settings  Settings
	Telemetry component.TelemetrySettings
	Client    *oktaapi.Client
	// Storage holds the watermarks and, with Settings.Persist, the state (nil: none).
	Storage storage.Client
	// Emit hands record batches downstream (resource attributes, obsreport).
	Emit *emit.Emitter
}

// Inventory lists every enabled resource type (full sync), applies lastUpdated deltas
// (incremental sync) and refetches objects named by System Log events. It keeps only the
// compact state of state.go, never the org.
type Inventory struct {
	p     Params
	state *inventoryState

	host component.Host

	mu         sync.Mutex
	watermarks map[string]time.Time // incremental watermarks per type
	listedAt   map[string]time.Time // start of the last complete listing per type (full sync)
	reported   map[string]string    // what was reported per type until a success: ReportedSkip or ReportedFailure
	errs       map[string]int64     // failed listings per type; a skip counts once, when reported
	skips      skipSet              // types the current full sync found "not here"
	durations  map[string]float64   // last sync duration per kind, seconds
	adminGrps  []string             // groups with admin privilege (expand=stats), for role listing
	fullDone   bool

	persist persistence // the persisted state (persist.go)

	refetch        *refetchQueue
	refetchDropped atomic.Int64
	refetchSkipped atomic.Int64 // tasks the last full listing already covered (refetchNeeded)
	refetchWaits   atomic.Int64 // wake-ups of the refetch loop that left the queue for the first full sync

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns the inventory of p. It does nothing until Start.
func New(p Params) *Inventory {
	return &Inventory{
		p:          p,
		state:      newInventoryState(),
		watermarks: map[string]time.Time{},
		listedAt:   map[string]time.Time{},
		reported:   map[string]string{},
		errs:       map[string]int64{},
		durations:  map[string]float64{},
		refetch:    newRefetchQueue(refetchQueueSize),
	}
}

// Start loads the watermarks and starts the sync loop and the refetch worker. It does
// not call Okta itself. host receives the component status of failed listings.
func (inv *Inventory) Start(ctx context.Context, host component.Host) {
	inv.SetHost(host)
	inv.loadWatermarks(ctx)
	runCtx, cancel := context.WithCancel(context.Background())
	inv.cancel = cancel
	inv.wg.Go(func() { inv.run(runCtx) })
	inv.wg.Go(func() { inv.RefetchLoop(runCtx) })
}

// Shutdown stops the loops and waits for them. Safe without Start, on nil, and twice.
func (inv *Inventory) Shutdown() {
	if inv == nil || inv.cancel == nil {
		return
	}
	inv.cancel()
	inv.refetch.close()
	inv.wg.Wait()
}

// run does a full sync at once, then full syncs every full_sync_interval and incremental
// syncs every incremental_interval. A full sync waits for Okta's rate limits (429 resets,
// the budget) until the next one is due, so that it does not give a type up because Okta
// asked it to slow down.
func (inv *Inventory) run(ctx context.Context) {
	fullSync := func() {
		inv.FullSync(oktaapi.WithRateLimitDeadline(ctx, time.Now().Add(inv.p.Settings.FullSyncInterval)))
	}
	fullSync()
	full := time.NewTicker(inv.p.Settings.FullSyncInterval)
	defer full.Stop()
	inc := time.NewTicker(inv.p.Settings.IncrementalInterval)
	defer inc.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			fullSync()
		case <-inc.C:
			inv.IncrementalSync(ctx)
		}
	}
}

// OrgID is the id of the org, once /.well-known/okta-organization was read ("" before).
func (inv *Inventory) OrgID() string { return inv.p.Client.Org().ID }

// Enabled reports whether resource type typ is collected.
func (inv *Inventory) Enabled(typ string) bool { return inv.p.Settings.Enabled(typ) }

// Snapshots of the state for the metrics scraper, each safe to call while the inventory syncs.

// CountBy returns the number of objects of typ per metric dimension (joined by NUL).
func (inv *Inventory) CountBy(typ string) map[string]int64 { return inv.state.countBy(typ) }

// CountByParent returns the number of objects of typ per parent id.
func (inv *Inventory) CountByParent(typ string) map[string]int64 { return inv.state.countByParent(typ) }

// ValuesOf returns, by id, the name, dimensions and side value of every object of typ.
func (inv *Inventory) ValuesOf(typ string) map[string]NamedValue { return inv.state.valuesOf(typ) }

// Count returns the number of objects of typ.
func (inv *Inventory) Count(typ string) int { return inv.state.count(typ) }

// discoverOrg asks the client to learn the org id and engine (a failure keeps what was
// known: the engine unknown, Identity Engine policy types are tried).
func (inv *Inventory) discoverOrg(ctx context.Context) {
	if _, err := inv.p.Client.DiscoverOrg(ctx); err != nil && ctx.Err() == nil {
		inv.p.Telemetry.Logger.Warn("Cannot read /.well-known/okta-organization; the engine is unknown, Identity Engine policy types will be tried",
			zap.Error(err))
	}
}

func (inv *Inventory) getEngine() string { return inv.p.Client.Org().Engine }

// newSyncID returns a random id shared by the snapshot records of one full sync.
func newSyncID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// What noteError reported for a type (Reported), until the type is listed again.
const (
	ReportedSkip    = "skipped"
	ReportedFailure = "failed"
)

// noteTypeError records a failed or skipped listing of typ. Each is reported once
// (component status and one log line) until the type is listed again, and again only
// when a skip turns into a failure or back; a skip counts once in okta.inventory.errors,
// a failure at every sync.
func (inv *Inventory) noteTypeError(typ string, err error) {
	inv.noteError(typ, typ, err)
}

// noteError counts an error of resource type typ and reports it once per key (a type, or
// a type and a sub-kind such as "policy:ACCESS_POLICY").
func (inv *Inventory) noteError(typ, key string, err error) {
	skipped := errors.Is(err, ErrTypeSkipped)
	kind := ReportedFailure
	if skipped {
		kind = ReportedSkip
	}
	inv.mu.Lock()
	first := inv.reported[key] != kind
	inv.reported[key] = kind
	if first || !skipped {
		inv.errs[typ]++
	}
	inv.mu.Unlock()
	if !first {
		return
	}
	if skipped {
		inv.p.Telemetry.Logger.Warn("Okta resource type skipped until the next full sync: the org does not serve it or this credential may not read it",
			zap.String("resource_type", key), zap.Error(err))
	} else {
		inv.p.Telemetry.Logger.Warn("Listing an Okta resource type failed; it is retried at the next sync",
			zap.String("resource_type", key), zap.Error(err))
	}
	if inv.host != nil {
		componentstatus.ReportStatus(inv.host, inventoryStatusEvent(fmt.Errorf("okta inventory %s: %w", key, err)))
	}
}

// inventoryStatusEvent is the component status of a failed listing: permanent when Okta
// rejected the credential (it fails every listing until the configuration changes, and a
// health_check with component status then reports the collector not ready), recoverable
// otherwise (a type this credential may not list, a 5xx, a timeout).
func inventoryStatusEvent(err error) *componentstatus.Event {
	if oktaapi.CredentialRejected(err) {
		return componentstatus.NewPermanentErrorEvent(err)
	}
	return componentstatus.NewRecoverableErrorEvent(err)
}

// Reported returns what was reported for key (a resource type, or "<type>:<kind>" for a kind
// of policy) since its last successful listing: ReportedSkip, ReportedFailure or "".
func (inv *Inventory) Reported(key string) string {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.reported[key]
}

// Skipped reports whether typ is skipped until the next full sync (the org answered "not
// here" for it, or for its parent type).
func (inv *Inventory) Skipped(typ string) bool { return inv.skips.has(typ) }

// Known reports whether the object typ/id is in the state.
func (inv *Inventory) Known(typ, id string) bool { return inv.state.known(typ, id) }

// PendingRefetches returns the number of event-driven refetches waiting in the queue.
func (inv *Inventory) PendingRefetches() int { return inv.refetch.len() }

// SetHost sets the host that receives the component status of failed listings. Start sets
// it; a caller that drives the syncs itself (FullSync, IncrementalSync) sets it first.
func (inv *Inventory) SetHost(host component.Host) { inv.host = host }

// noteTypeOK clears the reported mark of typ after a successful listing.
func (inv *Inventory) noteTypeOK(typ string) {
	inv.mu.Lock()
	delete(inv.reported, typ)
	inv.mu.Unlock()
}

// Stats is what the metrics scraper reads besides the state counts.
type Stats struct {
	// Errors counts failed listings per resource type (a skip counts once).
	Errors map[string]int64
	// Durations is the last sync duration per kind ("full", "incremental"), in seconds.
	Durations map[string]float64
	// RefetchDropped counts event-driven refetches dropped because the queue was full.
	RefetchDropped int64
	// RefetchSkipped counts refetches the last complete listing of their type already covered.
	RefetchSkipped int64
	// RefetchWaits counts wake-ups of the refetch loop that left the queued tasks for the end of
	// the first full sync.
	RefetchWaits int64
}

// Stats returns a copy of the counters.
func (inv *Inventory) Stats() Stats {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	st := Stats{Errors: map[string]int64{}, Durations: map[string]float64{}, RefetchDropped: inv.refetchDropped.Load(), RefetchSkipped: inv.refetchSkipped.Load(), RefetchWaits: inv.refetchWaits.Load()}
	for k, v := range inv.errs {
		st.Errors[k] = v
	}
	for k, v := range inv.durations {
		st.Durations[k] = v
	}
	return st
}
