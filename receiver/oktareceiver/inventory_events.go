package oktareceiver

import (
	"context"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
)

// handleEvents is called with every batch of System Log events the poller or the event
// hook delivered. Events that name an inventory object queue a refetch of it; it never
// blocks and never calls Okta itself.
func (inv *inventory) handleEvents(_ context.Context, trigger string, events []systemLogEventRef) {
	for _, ev := range events {
		for _, t := range refetchTasksFor(ev, trigger) {
			if !inv.enabled(t.typ) || inv.skips.has(t.typ) {
				continue
			}
			if n := inv.refetch.push(t); n > 0 {
				inv.refetchDropped.Add(int64(n))
			}
		}
	}
}

// refetchSkew is how far before a type's last complete listing an event may have been
// published and still call for a refetch: it covers clock skew between Okta and this host
// and Okta's read-after-write lag.
const refetchSkew = 2 * time.Minute

// noteListed records that a complete listing of typ started at start succeeded.
func (inv *inventory) noteListed(typ string, start time.Time) {
	inv.mu.Lock()
	inv.listedAt[typ] = start
	inv.mu.Unlock()
}

// refetchNeeded reports whether t can see something the last complete listing of its type
// did not: always, unless every event behind t was published (refetchSkew) before that
// listing started. It keeps a System Log backfill after a restart, whose events the first
// full sync already reflects, from spending the rate limit on thousands of refetches.
func (inv *inventory) refetchNeeded(t refetchTask) bool {
	if t.published.IsZero() {
		return true
	}
	inv.mu.Lock()
	listed, ok := inv.listedAt[t.typ]
	inv.mu.Unlock()
	return !ok || t.published.After(listed.Add(-refetchSkew))
}

// refetchLoop works off the refetch queue until ctx ends.
func (inv *inventory) refetchLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-inv.refetch.signal:
		}
		// Until the first full sync has listed everything, a refetch would only turn objects
		// the baseline is about to see into "created" changes; the tasks wait in the queue
		// (merged per object) and the end of that sync wakes this loop.
		if !inv.fullDoneNow() {
			continue
		}
		inv.drainRefetchQueue(ctx)
	}
}

// drainRefetchQueue works off the queued refetches until the queue is empty or ctx ends,
// then flushes the change records.
func (inv *inventory) drainRefetchQueue(ctx context.Context) {
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

// singlePaths are the by-id endpoints of the types an event can name.
var singlePaths = map[string]string{
	resUser:        "/api/v1/users/",
	resGroup:       "/api/v1/groups/",
	resApplication: "/api/v1/apps/",
	resPolicy:      "/api/v1/policies/",
	resNetworkZone: "/api/v1/zones/",
	resAPIToken:    "/api/v1/api-tokens/",
}

// refetchOne reads the object (or child list) of t again and emits the change: a 404
// means deleted.
func (inv *inventory) refetchOne(ctx context.Context, emit *emitter, t refetchTask) {
	switch {
	case t.typ == resGroupMembership:
		id := t.groupID + "/" + t.id
		if t.memberRemoved {
			inv.applyDelete(ctx, emit, resGroupMembership, id, t.cause())
			return
		}
		path := "/api/v1/users/" + url.PathEscape(t.id)
		if page, err := inv.p.client.get(ctx, path); err == nil {
			if items, err := decodeItems(page.Body, ""); err == nil && len(items) == 1 {
				inv.applyChange(ctx, emit, resGroupMembership, items[0], parentRef{id: t.groupID}, t.cause())
			}
		}
		return
	case t.children:
		inv.refetchChildren(ctx, emit, t)
		return
	}
	prefix, ok := singlePaths[t.typ]
	if !ok {
		return
	}
	path := prefix + url.PathEscape(t.id)
	if t.typ == resGroup {
		path += "?expand=stats"
	}
	page, err := inv.p.client.get(ctx, path)
	if err != nil {
		if ae := asAPIError(err); ae != nil && ae.Status == 404 {
			inv.applyDelete(ctx, emit, t.typ, t.id, t.cause())
			return
		}
		if ctx.Err() == nil {
			inv.p.settings.Logger.Debug("Event-driven refetch failed", zap.String("resource_type", t.typ), zap.Error(err))
		}
		return
	}
	items, err := decodeItems(page.Body, "")
	if err != nil || len(items) != 1 {
		return
	}
	inv.applyChange(ctx, emit, t.typ, items[0], parentRef{}, t.cause())
}

// refetchChildren reads the child list of one parent and diffs it against the state.
func (inv *inventory) refetchChildren(ctx context.Context, emit *emitter, t refetchTask) {
	var path string
	p := parentRef{id: t.id}
	switch t.typ {
	case resUserFactor:
		path = "/api/v1/users/" + url.PathEscape(t.id) + "/factors"
	case resPolicyRule:
		path = "/api/v1/policies/" + url.PathEscape(t.id) + "/rules"
		if v, ok := inv.state.valuesOf(resPolicy)[t.id]; ok {
			p.policyType, _, _ = strings.Cut(v.dim, "\x00")
		}
	case resApplicationUser:
		path = "/api/v1/apps/" + url.PathEscape(t.id) + "/users?limit=" + itoa(pageAppUsers)
	default:
		return
	}
	before := inv.state.childrenOf(t.typ, t.id)
	seen := map[string]bool{}
	err := inv.listAll(ctx, path, "", func(items []map[string]any) error {
		for _, obj := range items {
			rec, _ := describe(t.typ, obj, p, inv.getOrgID())
			seen[rec.id] = true
			inv.applyChange(ctx, emit, t.typ, obj, p, t.cause())
		}
		return nil
	})
	if err != nil {
		if ae := asAPIError(err); ae == nil || ae.Status != 404 {
			return
		}
	}
	for _, id := range before {
		if !seen[id] {
			inv.applyDelete(ctx, emit, t.typ, id, t.cause())
		}
	}
}
