package inventory

import (
	"context"
	"encoding/json"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

const (
	// watermarkStorageKey holds the incremental watermarks in the storage extension.
	watermarkStorageKey = "inventory_watermarks"
	// watermarkOverlap is subtracted from the watermark of each query: Okta's search index
	// is eventually consistent and clocks differ. Re-seen objects are recognised by their
	// fingerprint and produce no record.
	watermarkOverlap = 2 * time.Minute
)

// IncrementalSync queries the objects updated since the watermark of each type that has a
// lastUpdated query in the resource table (users: a search, which includes DEPROVISIONED
// users; groups: a filter) and emits created/updated changes (trigger incremental). The other
// types have no such query; System Log events and the full sync cover them. It runs only
// after a full sync of the type completed, so that "created" is meaningful.
func (inv *Inventory) IncrementalSync(ctx context.Context) {
	start := time.Now()
	emit := inv.newEmitter()
	inv.persist.unit.Lock()
	defer inv.persist.unit.Unlock()
	for _, spec := range resource.All() {
		typ := string(spec.Type)
		if spec.Incremental == nil || !inv.Enabled(typ) || inv.skips.has(typ) {
			continue
		}
		inv.mu.Lock()
		wm, ok := inv.watermarks[typ]
		inv.mu.Unlock()
		if !ok || !inv.FullDone() {
			continue
		}
		queryStart := time.Now()
		err := inv.p.Client.ListUpdatedSince(ctx, spec.Type, wm.Add(-watermarkOverlap), func(items []map[string]any) error {
			for _, obj := range items {
				inv.applyChange(ctx, emit, typ, obj, parentRef{}, changeCause{trigger: TriggerIncremental})
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			inv.noteTypeError(typ, classify(err))
			continue
		}
		inv.setWatermark(typ, queryStart)
	}
	emit.flush(ctx)
	inv.persistState(ctx, emit.failed == 0)
	inv.mu.Lock()
	inv.durations["incremental"] = time.Since(start).Seconds()
	inv.mu.Unlock()
}

// FullDone reports whether a full sync completed (before it, counts would be partial).
func (inv *Inventory) FullDone() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.fullDone
}

// applyChange updates the state with obj and emits a created or updated change record
// (nothing when the object did not change).
func (inv *Inventory) applyChange(ctx context.Context, emit *emitter, typ string, obj map[string]any, p parentRef, cause changeCause) {
	rec, meta := describe(typ, obj, p, inv.OrgID())
	if rec.id == "" {
		return
	}
	res := inv.state.upsert(typ, rec.id, obj, meta, 0, keepsName(typ))
	switch {
	case res.created:
		rec.changeType, rec.values = ChangeCreated, changeValues(auditSet{}, res.after, nil)
	case len(res.changed) > 0:
		rec.changeType, rec.fields, rec.values = ChangeUpdated, res.changed, changeValues(res.before, res.after, res.changed)
	default:
		return
	}
	rec.event, rec.trigger, rec.eventUUID = EventChange, cause.trigger, cause.eventUUID
	emit.add(ctx, rec)
}

// applyDelete forgets typ/id and emits a deleted change when it was known.
func (inv *Inventory) applyDelete(ctx context.Context, emit *emitter, typ, id string, cause changeCause) {
	before, ok := inv.state.removeWithAudit(typ, id)
	if !ok {
		return
	}
	emit.add(ctx, inventoryRecord{event: EventChange, typ: typ, id: id, changeType: ChangeDeleted,
		trigger: cause.trigger, eventUUID: cause.eventUUID, parents: deletedParents(typ, id),
		values: changeValues(before, auditSet{}, nil)})
}

func (inv *Inventory) setWatermark(typ string, t time.Time) {
	inv.mu.Lock()
	inv.watermarks[typ] = t
	inv.mu.Unlock()
}

// loadWatermarks reads the watermarks from storage (none: first start, or no storage).
func (inv *Inventory) loadWatermarks(ctx context.Context) {
	if inv.p.Storage == nil {
		return
	}
	b, err := inv.p.Storage.Get(ctx, watermarkStorageKey)
	if err != nil || len(b) == 0 {
		return
	}
	var wm map[string]time.Time
	if err := json.Unmarshal(b, &wm); err != nil {
		inv.p.Telemetry.Logger.Warn("Ignoring unreadable inventory watermarks in storage", zap.Error(err))
		return
	}
	inv.mu.Lock()
	for k, v := range wm {
		inv.watermarks[k] = v
	}
	inv.mu.Unlock()
}

// saveWatermarks writes the watermarks to storage.
func (inv *Inventory) saveWatermarks(ctx context.Context) {
	if inv.p.Storage == nil {
		return
	}
	inv.mu.Lock()
	b, err := json.Marshal(inv.watermarks)
	inv.mu.Unlock()
	if err != nil {
		return
	}
	if err := inv.p.Storage.Set(ctx, watermarkStorageKey, b); err != nil && ctx.Err() == nil {
		inv.p.Telemetry.Logger.Warn("Saving the inventory watermarks failed", zap.Error(err))
	}
}
