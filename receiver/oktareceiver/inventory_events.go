package oktareceiver

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"go.uber.org/zap"
)

// refetchQueueSize bounds the pending event-driven refetches; when full, the oldest is
// dropped (and counted): the next full sync repairs whatever a dropped refetch missed.
const refetchQueueSize = 10000

// refetchTask names one object (or one parent's child list) to read again.
type refetchTask struct {
	typ     string // resource type
	id      string // object id, or parent id for child lists
	trigger string // system_log or event_hook
	// children: refetch the list of typ under parent id (factors of a user, rules of a policy).
	children bool
	// memberOf/memberRemoved: group membership events carry the answer themselves.
	groupID       string
	memberRemoved bool
}

func (t refetchTask) key() string {
	return t.typ + "|" + t.id + "|" + t.groupID
}

// refetchQueue is a bounded FIFO with drop-oldest and de-duplication of pending tasks.
type refetchQueue struct {
	mu      sync.Mutex
	items   []refetchTask
	pending map[string]bool
	size    int
	closed  bool
	signal  chan struct{}
}

func newRefetchQueue(size int) *refetchQueue {
	return &refetchQueue{pending: map[string]bool{}, size: size, signal: make(chan struct{}, 1)}
}

// push adds t; it never blocks. It returns the number of tasks dropped (0 or 1).
func (q *refetchQueue) push(t refetchTask) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.pending[t.key()] {
		return 0
	}
	dropped := 0
	if len(q.items) >= q.size {
		delete(q.pending, q.items[0].key())
		q.items = q.items[1:]
		dropped = 1
	}
	q.items = append(q.items, t)
	q.pending[t.key()] = true
	select {
	case q.signal <- struct{}{}:
	default:
	}
	return dropped
}

// pop returns the oldest task, or false when empty.
func (q *refetchQueue) pop() (refetchTask, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return refetchTask{}, false
	}
	t := q.items[0]
	q.items = q.items[1:]
	delete(q.pending, t.key())
	return t, true
}

func (q *refetchQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}

// handleEvents is called with every batch of System Log events the poller or the event
// hook delivered. Events that name an inventory object queue a refetch of it; it never
// blocks and never calls Okta itself.
func (inv *inventory) handleEvents(_ context.Context, trigger string, events []map[string]any) {
	for _, ev := range events {
		for _, t := range refetchTasksFor(ev, trigger) {
			if !inv.enabled(t.typ) {
				continue
			}
			if n := inv.refetch.push(t); n > 0 {
				inv.refetchDropped.Add(int64(n))
			}
		}
	}
}

// refetchTasksFor maps one System Log event to the refetches it calls for.
func refetchTasksFor(ev map[string]any, trigger string) []refetchTask {
	eventType, _ := ev["eventType"].(string)
	targets := eventTargets(ev)
	var out []refetchTask
	add := func(typ, id string, children bool) {
		if id != "" {
			out = append(out, refetchTask{typ: typ, id: id, trigger: trigger, children: children})
		}
	}
	switch {
	case strings.HasPrefix(eventType, "group.user_membership."):
		group, user := targets["UserGroup"], targets["User"]
		if group != "" && user != "" {
			out = append(out, refetchTask{typ: resGroupMembership, id: user, groupID: group, trigger: trigger,
				memberRemoved: strings.HasSuffix(eventType, ".remove")})
		}
		add(resGroup, group, false)
	case strings.HasPrefix(eventType, "user.mfa.factor."):
		add(resUserFactor, targets["User"], true)
		if targets["User"] == "" {
			add(resUserFactor, actorID(ev), true)
		}
	case strings.HasPrefix(eventType, "user.lifecycle."), strings.HasPrefix(eventType, "user.account."):
		add(resUser, targets["User"], false)
	case strings.HasPrefix(eventType, "group.lifecycle."), strings.HasPrefix(eventType, "group.profile."):
		add(resGroup, targets["UserGroup"], false)
	case strings.HasPrefix(eventType, "application.user_membership."):
		add(resApplicationUser, targets["AppInstance"], true)
	case strings.HasPrefix(eventType, "application."):
		add(resApplication, targets["AppInstance"], false)
	case strings.HasPrefix(eventType, "policy.rule."):
		add(resPolicyRule, targets["PolicyEntity"], true)
	case strings.HasPrefix(eventType, "policy."):
		add(resPolicy, targets["PolicyEntity"], false)
	case strings.HasPrefix(eventType, "zone."):
		add(resNetworkZone, targets["NetworkZone"], false)
	case strings.HasPrefix(eventType, "system.api_token."):
		add(resAPIToken, targets["Token"], false)
	}
	return out
}

// eventTargets returns target type -> id of an event (the first of each type).
func eventTargets(ev map[string]any) map[string]string {
	out := map[string]string{}
	list, _ := ev["target"].([]any)
	for _, t := range list {
		m, ok := t.(map[string]any)
		if !ok {
			continue
		}
		typ, _ := m["type"].(string)
		id, _ := m["id"].(string)
		if typ != "" && id != "" && out[typ] == "" {
			out[typ] = id
		}
	}
	return out
}

func actorID(ev map[string]any) string {
	a, _ := ev["actor"].(map[string]any)
	id, _ := a["id"].(string)
	return id
}

// refetchLoop works off the refetch queue until ctx ends.
func (inv *inventory) refetchLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-inv.refetch.signal:
		}
		emit := inv.newEmitter()
		for ctx.Err() == nil {
			t, ok := inv.refetch.pop()
			if !ok {
				break
			}
			inv.refetchOne(ctx, emit, t)
		}
		emit.flush(ctx)
	}
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
			inv.applyDelete(ctx, emit, resGroupMembership, id, t.trigger)
			return
		}
		path := "/api/v1/users/" + url.PathEscape(t.id)
		if page, err := inv.p.client.get(ctx, path); err == nil {
			if items, err := decodeItems(page.Body, ""); err == nil && len(items) == 1 {
				inv.applyChange(ctx, emit, resGroupMembership, items[0], parentRef{id: t.groupID}, t.trigger)
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
			inv.applyDelete(ctx, emit, t.typ, t.id, t.trigger)
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
	inv.applyChange(ctx, emit, t.typ, items[0], parentRef{}, t.trigger)
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
			inv.applyChange(ctx, emit, t.typ, obj, p, t.trigger)
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
			inv.applyDelete(ctx, emit, t.typ, id, t.trigger)
		}
	}
}
