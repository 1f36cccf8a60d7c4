package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/statestore"
)

// The inventory state is persisted in the storage extension (package statestore) when one
// is configured, so that the first full sync after a restart reports, against the state
// before the stop, what was created, changed or deleted meanwhile. Without a storage
// extension the state lives in memory only and the first full sync is a baseline.
//
// Ordering is what keeps it at least once: the state is written only after ConsumeLogs
// accepted the change records of the work that changed it, in one storage batch with the
// incremental watermarks. A kill between the two leaves the older state, so the next run
// finds the same changes again and emits them with the same log.record.uid.

// persistence is the inventory's link to its persisted state.
type persistence struct {
	// unit serialises the units of work that change the state, emit their records and then
	// persist (a full sync's type, an incremental sync, a refetch drain), so that a persist
	// never writes a change another unit has not delivered yet.
	unit   sync.Mutex
	opened bool              // openState ran
	store  *statestore.Store // nil: not persisted (no storage, or it could not be read)
	failed bool              // the last write failed (logged once per failure streak)
}

// selectionDigest is a digest of the enabled resource types: a persisted state of another
// selection is set aside (a newly enabled type would otherwise report every object of it
// as created, and a disabled one every object as deleted, once it is enabled again).
func selectionDigest(isEnabled func(typ string) bool) string {
	var enabled []string
	for _, spec := range resource.All() {
		if t := string(spec.Type); isEnabled(t) {
			enabled = append(enabled, t)
		}
	}
	sort.Strings(enabled)
	sum := sha256.Sum256([]byte(strings.Join(enabled, ",")))
	return hex.EncodeToString(sum[:16])
}

// openState loads the persisted state once, before the first full sync lists anything
// (the org id is known by then from /.well-known/okta-organization). A state of another
// org or selection, or a damaged one, is set aside with one log line.
func (inv *Inventory) openState(ctx context.Context) {
	ps := &inv.persist
	if ps.opened || !inv.p.Settings.Persist || inv.p.Storage == nil {
		return
	}
	ps.opened = true
	log := inv.p.Telemetry.Logger
	orgID := inv.OrgID()
	if orgID == "" {
		log.Warn("The org id is unknown (/.well-known/okta-organization could not be read): the persisted inventory state is neither read nor written until the collector restarts; this first full sync is a baseline")
		return
	}
	start := time.Now()
	store, res, err := statestore.OpenWith(ctx, inv.p.Storage, statestore.Identity{OrgID: orgID, Selection: selectionDigest(inv.p.Settings.Enabled)},
		inv.state.loader())
	if err != nil {
		inv.state.reset()
		if ctx.Err() == nil {
			log.Warn("Cannot read the persisted inventory state: it is kept in memory only until the collector restarts; this first full sync is a baseline", zap.Error(err))
		}
		return
	}
	ps.store = store
	inv.state.trackChanges()
	if res.SetAside != "" {
		inv.state.reset() // what was loaded before the damage was found
		log.Warn("Persisted inventory state set aside; this first full sync is a baseline", zap.String("reason", res.SetAside))
		return
	}
	if objects := inv.state.total(); objects > 0 {
		log.Info("Persisted inventory state loaded; the first full sync reports what changed since it was written",
			zap.Int("objects", objects), zap.Duration("duration", time.Since(start)))
	}
}

// persistState writes what changed in the state since the last write, with the incremental
// watermarks, in one storage batch. Without a store (no storage extension, or the state
// could not be read) it writes the watermarks alone, as before the state was persisted.
// delivered false (a ConsumeLogs call of this unit failed) skips the write: the changes stay
// dirty and are written after a later delivery succeeded.
func (inv *Inventory) persistState(ctx context.Context, delivered bool) {
	ps := &inv.persist
	if ps.store == nil {
		inv.saveWatermarks(ctx)
		return
	}
	if !delivered || ctx.Err() != nil {
		return
	}
	sources, taken := inv.state.takeDirty(ps.store.Meta)
	var extra []*storage.Operation
	if wm := inv.watermarksJSON(); wm != nil {
		extra = append(extra, storage.SetOperation(watermarkStorageKey, wm))
	}
	if _, err := ps.store.Commit(ctx, sources, extra...); err != nil {
		inv.state.restoreDirty(taken)
		if !ps.failed && ctx.Err() == nil {
			inv.p.Telemetry.Logger.Warn("Writing the inventory state to storage failed; it is written again after the next delivery", zap.Error(err))
		}
		ps.failed = true
		return
	}
	ps.failed = false
}

// watermarksJSON returns the incremental watermarks as stored (nil when there are none).
func (inv *Inventory) watermarksJSON() []byte {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if len(inv.watermarks) == 0 {
		return nil
	}
	b, err := json.Marshal(inv.watermarks)
	if err != nil {
		return nil
	}
	return b
}
