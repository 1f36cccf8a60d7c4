package inventory

import (
	"context"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// HandleChanges is told which objects the System Log events the poller or the event hook
// delivered say changed. Each change of an enabled type queues a refetch; it never blocks
// and never calls Okta itself.
func (inv *Inventory) HandleChanges(_ context.Context, trigger string, changes []resource.Change) {
	now := time.Now()
	for _, c := range changes {
		t := refetchTaskFor(c, trigger, now)
		if !inv.Enabled(t.typ) || inv.skips.has(t.typ) {
			continue
		}
		if n := inv.refetch.push(t); n > 0 {
			inv.refetchDropped.Add(int64(n))
		}
	}
}

// refetchTaskFor is the refetch of one change. A change without a published time counts as
// published now, so that no earlier listing can make its refetch look unnecessary.
func refetchTaskFor(c resource.Change, trigger string, now time.Time) refetchTask {
	published := c.Published
	if published.IsZero() {
		published = now
	}
	return refetchTask{
		typ: string(c.Type), id: c.ID, groupID: c.Parent, children: c.Children, memberRemoved: c.Removed,
		trigger: trigger, published: published, eventUUID: c.EventUUID,
	}
}

// refetchSkew is how far before a type's last complete listing an event may have been
// published and still call for a refetch: it covers clock skew between Okta and this host
// and Okta's read-after-write lag.
const refetchSkew = 2 * time.Minute

// noteListed records that a complete listing of typ started at start succeeded.
func (inv *Inventory) noteListed(typ string, start time.Time) {
	inv.mu.Lock()
	inv.listedAt[typ] = start
	inv.mu.Unlock()
}

// refetchNeeded reports whether t can see something the last complete listing of its type
// did not: always, unless every event behind t was published (refetchSkew) before that
// listing started. It keeps a System Log backfill after a restart, whose events the first
// full sync already reflects, from spending the rate limit on thousands of refetches.
func (inv *Inventory) refetchNeeded(t refetchTask) bool {
	if t.published.IsZero() {
		return true
	}
	inv.mu.Lock()
	listed, ok := inv.listedAt[t.typ]
	inv.mu.Unlock()
	return !ok || t.published.After(listed.Add(-refetchSkew))
}

// RefetchLoop works off the refetch queue until ctx ends.
func (inv *Inventory) RefetchLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-inv.refetch.signal:
		}
		// Until the first full sync has listed everything, a refetch would only turn objects
		// the baseline is about to see into "created" changes; the tasks wait in the queue
		// (merged per object) and the end of that sync wakes this loop.
		if !inv.FullDone() {
			inv.refetchWaits.Add(1)
			continue
		}
		inv.DrainRefetches(ctx)
	}
}

// DrainRefetches works off the queued refetches until the queue is empty or ctx ends,
// then flushes the change records.
func (inv *Inventory) DrainRefetches(ctx context.Context) {
	emit := inv.newEmitter()
	inv.persist.unit.Lock()
	defer inv.persist.unit.Unlock()
	for ctx.Err() == nil {
		t, ok := inv.refetch.pop()
		if !ok {
			break
		}
		if !inv.refetchNeeded(t) {
			inv.refetchSkipped.Add(1)
			continue
		}
		inv.refetchOne(ctx, emit, t)
	}
	emit.flush(ctx)
	inv.persistState(ctx, emit.failed == 0)
}

// refetchOne reads the object (or child list) of t again, at the single-object path (or the
// listing) of the resource table, and emits the change: a 404 means deleted.
func (inv *Inventory) refetchOne(ctx context.Context, emit *emitter, t refetchTask) {
	switch {
	case t.typ == string(resource.GroupMembership):
		id := t.groupID + "/" + t.id
		if t.memberRemoved {
			inv.applyDelete(ctx, emit, string(resource.GroupMembership), id, t.cause())
			return
		}
		if obj, err := inv.p.Client.Get(ctx, resource.GroupMembership, t.groupID, t.id); err == nil {
			inv.applyChange(ctx, emit, string(resource.GroupMembership), obj, parentRef{id: t.groupID}, t.cause())
		}
		return
	case t.children:
		inv.refetchChildren(ctx, emit, t)
		return
	}
	spec := resource.Lookup(resource.Type(t.typ))
	if spec == nil || spec.Get == "" || spec.Parent != "" {
		return
	}
	obj, err := inv.p.Client.Get(ctx, spec.Type, "", t.id)
	if err != nil {
		if oktaapi.Classify(err) == oktaapi.KindNotFound {
			inv.applyDelete(ctx, emit, t.typ, t.id, t.cause())
			return
		}
		if ctx.Err() == nil {
			inv.p.Telemetry.Logger.Debug("Event-driven refetch failed", zap.String("resource_type", t.typ), zap.Error(err))
		}
		return
	}
	inv.applyChange(ctx, emit, t.typ, obj, parentRef{}, t.cause())
}

// refetchChildren reads the child list of one parent (the resource table's listing of the
// child type under it) and diffs it against the state.
func (inv *Inventory) refetchChildren(ctx context.Context, emit *emitter, t refetchTask) {
	spec := resource.Lookup(resource.Type(t.typ))
	if spec == nil || spec.Parent == "" || len(spec.Lists) == 0 {
		return
	}
	p := parentRef{id: t.id}
	if t.typ == string(resource.PolicyRule) {
		if v, ok := inv.state.valuesOf(string(resource.Policy))[t.id]; ok {
			p.policyType, _, _ = strings.Cut(v.Dim, "\x00")
		}
	}
	before := inv.state.childrenOf(t.typ, t.id)
	seen := map[string]bool{}
	err := inv.p.Client.List(ctx, spec.Lists[0], t.id, func(items []map[string]any) error {
		for _, obj := range items {
			rec, _ := describe(t.typ, obj, p, inv.OrgID())
			seen[rec.id] = true
			inv.applyChange(ctx, emit, t.typ, obj, p, t.cause())
		}
		return nil
	})
	if err != nil {
		if oktaapi.Classify(err) != oktaapi.KindNotFound {
			return
		}
	}
	for _, id := range before {
		if !seen[id] {
			inv.applyDelete(ctx, emit, t.typ, id, t.cause())
		}
	}
}
