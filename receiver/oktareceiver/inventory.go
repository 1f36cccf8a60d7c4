package oktareceiver

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
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// inventoryParams is what the receiver hands to the inventory.
type inventoryParams struct {
	cfg      *Config
	settings receiver.Settings
	client   *oktaapi.Client
	storage  storage.Client
	// emit hands record batches downstream (resource attributes, obsreport).
	emit *emit.Emitter
}

// inventory lists every enabled resource type (full sync), applies lastUpdated deltas
// (incremental sync) and refetches objects named by System Log events. It keeps only the
// compact state of inventory_state.go, never the org.
type inventory struct {
	p     inventoryParams
	state *inventoryState

	host component.Host

	mu         sync.Mutex
	watermarks map[string]time.Time // incremental watermarks per type
	listedAt   map[string]time.Time // start of the last complete listing per type (full sync)
	reported   map[string]string    // what was reported per type until a success: reportedSkip or reportedFailure
	errs       map[string]int64     // failed listings per type; a skip counts once, when reported
	skips      skipSet              // types the current full sync found "not here"
	durations  map[string]float64   // last sync duration per kind, seconds
	adminGrps  []string             // groups with admin privilege (expand=stats), for role listing
	fullDone   bool

	persist persistence // the persisted state (inventory_persist.go)

	refetch        *refetchQueue
	refetchDropped atomic.Int64
	refetchSkipped atomic.Int64 // tasks the last full listing already covered (refetchNeeded)

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newInventory(p inventoryParams) *inventory {
	return &inventory{
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

// start loads the watermarks and starts the sync loop and the refetch worker. It does
// not call Okta itself.
func (inv *inventory) start(ctx context.Context, host component.Host) {
	inv.host = host
	inv.loadWatermarks(ctx)
	runCtx, cancel := context.WithCancel(context.Background())
	inv.cancel = cancel
	inv.wg.Go(func() { inv.run(runCtx) })
	inv.wg.Go(func() { inv.refetchLoop(runCtx) })
}

// shutdown stops the loops and waits for them. Safe without start and twice.
func (inv *inventory) shutdown() {
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
func (inv *inventory) run(ctx context.Context) {
	fullSync := func() {
		inv.fullSync(oktaapi.WithRateLimitDeadline(ctx, time.Now().Add(inv.p.cfg.Inventory.FullSyncInterval)))
	}
	fullSync()
	full := time.NewTicker(inv.p.cfg.Inventory.FullSyncInterval)
	defer full.Stop()
	inc := time.NewTicker(inv.p.cfg.Inventory.IncrementalInterval)
	defer inc.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			fullSync()
		case <-inc.C:
			inv.incrementalSync(ctx)
		}
	}
}

func (inv *inventory) getOrgID() string { return inv.p.client.Org().ID }

func (inv *inventory) enabled(typ string) bool { return inv.p.cfg.Inventory.enabled(typ) }

// Snapshots of the state for the metrics scraper (inventoryMetrics).
func (inv *inventory) countBy(typ string) map[string]int64       { return inv.state.countBy(typ) }
func (inv *inventory) countByParent(typ string) map[string]int64 { return inv.state.countByParent(typ) }
func (inv *inventory) valuesOf(typ string) map[string]namedValue { return inv.state.valuesOf(typ) }
func (inv *inventory) count(typ string) int                      { return inv.state.count(typ) }

// discoverOrg asks the client to learn the org id and engine (a failure keeps what was
// known: the engine unknown, Identity Engine policy types are tried).
func (inv *inventory) discoverOrg(ctx context.Context) {
	if _, err := inv.p.client.DiscoverOrg(ctx); err != nil && ctx.Err() == nil {
		inv.p.settings.Logger.Warn("Cannot read /.well-known/okta-organization; the engine is unknown, Identity Engine policy types will be tried",
			zap.Error(err))
	}
}

func (inv *inventory) getEngine() string { return inv.p.client.Org().Engine }

// newSyncID returns a random id shared by the snapshot records of one full sync.
func newSyncID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// What noteError reported for a type, until the type is listed again.
const (
	reportedSkip    = "skipped"
	reportedFailure = "failed"
)

// noteTypeError records a failed or skipped listing of typ. Each is reported once
// (component status and one log line) until the type is listed again, and again only
// when a skip turns into a failure or back; a skip counts once in okta.inventory.errors,
// a failure at every sync.
func (inv *inventory) noteTypeError(typ string, err error) {
	inv.noteError(typ, typ, err)
}

// noteError counts an error of resource type typ and reports it once per key (a type, or
// a type and a sub-kind such as "policy:ACCESS_POLICY").
func (inv *inventory) noteError(typ, key string, err error) {
	skipped := errors.Is(err, errTypeSkipped)
	kind := reportedFailure
	if skipped {
		kind = reportedSkip
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
		inv.p.settings.Logger.Warn("Okta resource type skipped until the next full sync: the org does not serve it or this credential may not read it",
			zap.String("resource_type", key), zap.Error(err))
	} else {
		inv.p.settings.Logger.Warn("Listing an Okta resource type failed; it is retried at the next sync",
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

// noteTypeOK clears the reported mark of typ after a successful listing.
func (inv *inventory) noteTypeOK(typ string) {
	inv.mu.Lock()
	delete(inv.reported, typ)
	inv.mu.Unlock()
}

// inventoryStats is what the metrics scraper reads besides the state counts.
type inventoryStats struct {
	errors         map[string]int64
	durations      map[string]float64
	refetchDropped int64
	refetchSkipped int64
}

func (inv *inventory) stats() inventoryStats {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	st := inventoryStats{errors: map[string]int64{}, durations: map[string]float64{}, refetchDropped: inv.refetchDropped.Load(), refetchSkipped: inv.refetchSkipped.Load()}
	for k, v := range inv.errs {
		st.errors[k] = v
	}
	for k, v := range inv.durations {
		st.durations[k] = v
	}
	return st
}
