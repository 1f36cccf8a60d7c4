package oktareceiver

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

var recordUIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestInventoryRecordUIDsAreUnique: across two full syncs and an incremental sync with
// created, updated and deleted objects in between, every snapshot and change record carries
// a log.record.uid of its own.
func TestInventoryRecordUIDsAreUnique(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, func(c *Config) {
		c.Inventory.Resources[resGroupMembership] = ResourceConfig{Enabled: true}
	})
	inv.fullSync(context.Background())
	gt := srv.GroundTruth()
	user := gt.IDs[resUser][0]
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Auditor"}})
	simControl(t, http.MethodDelete, url+"/_sim/resources/trusted_origin/"+gt.IDs[resTrustedOrigin][0], nil)
	simControl(t, http.MethodPost, url+"/_sim/resources/group", map[string]any{"profile": map[string]any{"name": "uid test group"}})
	inv.fullSync(context.Background())
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Lead auditor"}})
	inv.incrementalSync(context.Background())

	recs := records(sink)
	seen := map[string]recordView{}
	kinds := map[string]int{}
	for _, r := range recs {
		uid, _ := r.attrs[slAttrLogRecordUID].(string)
		require.Regexp(t, recordUIDPattern, uid, "%s %s %s", r.event, r.typ, r.id)
		if prev, dup := seen[uid]; dup {
			t.Fatalf("log.record.uid %s shared by %s %s %s and %s %s %s", uid, prev.event, prev.typ, prev.id, r.event, r.typ, r.id)
		}
		seen[uid] = r
		kind := r.event
		if ct, ok := r.attrs[attrChangeType].(string); ok {
			kind += "/" + ct + "/" + r.attrs[attrChangeTrigger].(string)
		}
		kinds[kind]++
	}
	for _, k := range []string{eventInventorySnapshot, eventInventoryChange + "/updated/full_sync", eventInventoryChange + "/created/full_sync",
		eventInventoryChange + "/deleted/full_sync", eventInventoryChange + "/updated/incremental"} {
		assert.NotZero(t, kinds[k], "the run must produce %s records", k)
	}
}

// TestInventoryRecordUIDIsDeterministic: the same record converted twice gets the same id;
// changing anything that tells records apart (sync, trigger, event, change type, content)
// gives another one.
func TestInventoryRecordUIDIsDeterministic(t *testing.T) {
	body := func(title string) map[string]any {
		return map[string]any{"id": "00u1", "profile": map[string]any{"title": title}, "lastUpdated": "2026-11-29T10:00:00.000Z"}
	}
	base := inventoryRecord{event: eventInventoryChange, typ: resUser, id: "00u1", changeType: changeUpdated,
		trigger: triggerSystemLog, eventUUID: "evt-1", fields: []string{"profile.title"}, body: body("a")}
	uidOf := func(rec inventoryRecord) string {
		sl := plog.NewScopeLogs()
		appendInventoryRecord(sl, rec, pcommon.NewTimestampFromTime(time.Now()))
		v, ok := sl.LogRecords().At(0).Attributes().Get(slAttrLogRecordUID)
		require.True(t, ok)
		return v.Str()
	}
	first := uidOf(base)
	again := base
	again.body = body("a")
	assert.Equal(t, first, uidOf(again), "the same record re-delivered keeps its id")

	variants := map[string]func(*inventoryRecord){
		"another event":   func(r *inventoryRecord) { r.eventUUID = "evt-2" },
		"another trigger": func(r *inventoryRecord) { r.trigger = triggerEventHook },
		"another sync":    func(r *inventoryRecord) { r.syncID = "abcd" },
		"created":         func(r *inventoryRecord) { r.changeType = changeCreated },
		"other content":   func(r *inventoryRecord) { r.body = body("b") },
		"other fields":    func(r *inventoryRecord) { r.fields = []string{"profile"} },
		"a snapshot":      func(r *inventoryRecord) { r.event = eventInventorySnapshot },
		"another object":  func(r *inventoryRecord) { r.id = "00u2" },
	}
	for name, change := range variants {
		rec := base
		rec.body = body("a")
		change(&rec)
		assert.NotEqual(t, first, uidOf(rec), name)
	}
}

// TestEventDrivenChangeLinksToItsEvent: a change that a System Log event triggered carries
// okta.event.uuid (the event's uuid, the link to it) and a log.record.uid of its own; when
// several events for one object are merged into one refetch, the link names the newest.
func TestEventDrivenChangeLinksToItsEvent(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	users := srv.GroundTruth().IDs[resUser]
	sink.Reset()

	now := time.Now()
	event := func(uuid, user string, published time.Time) systemLogEventRef {
		ev := userEvent("user.account.update_profile", user)
		ev.uuid, ev.published = uuid, published
		return ev
	}
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+users[0], map[string]any{"profile": map[string]any{"title": "Linked"}})
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+users[1], map[string]any{"profile": map[string]any{"title": "Merged"}})
	handleEvents(context.Background(), inv, triggerSystemLog, []systemLogEventRef{
		event("evt-single", users[0], now),
		event("evt-older", users[1], now.Add(-time.Second)),
		event("evt-newer", users[1], now),
	})
	inv.drainRefetchQueue(context.Background())

	upd := changesOf(records(sink), resUser, changeUpdated)
	require.Len(t, upd, 2)
	byUser := map[string]recordView{upd[0].id: upd[0], upd[1].id: upd[1]}
	assert.Equal(t, "evt-single", byUser[users[0]].attrs[attrEventUUID])
	assert.Equal(t, "evt-newer", byUser[users[1]].attrs[attrEventUUID], "merged events link to the newest")
	for _, r := range upd {
		assert.Equal(t, triggerSystemLog, r.attrs[attrChangeTrigger])
		uid := r.attrs[slAttrLogRecordUID].(string)
		assert.Regexp(t, recordUIDPattern, uid)
		assert.NotEqual(t, r.attrs[attrEventUUID], uid, "the record has an id of its own")
	}
	assert.NotEqual(t, upd[0].attrs[slAttrLogRecordUID], upd[1].attrs[slAttrLogRecordUID])

	// Full-sync and incremental changes name no event.
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+users[2], map[string]any{"profile": map[string]any{"title": "Polled"}})
	sink.Reset()
	inv.incrementalSync(context.Background())
	inc := changesOf(records(sink), resUser, changeUpdated)
	require.NotEmpty(t, inc)
	for _, r := range inc {
		assert.NotContains(t, r.attrs, attrEventUUID)
	}
}
