package inventory_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

var recordUIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestInventoryRecordUIDsAreUnique: across two full syncs and an incremental sync with
// created, updated and deleted objects in between, every snapshot and change record carries
// a log.record.uid of its own.
func TestInventoryRecordUIDsAreUnique(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, withTypes(string(resource.GroupMembership)))
	inv.FullSync(context.Background())
	gt := srv.GroundTruth()
	user := gt.IDs[string(resource.User)][0]
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Auditor"}}, nil)
	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/trusted_origin/"+gt.IDs[string(resource.TrustedOrigin)][0], nil, nil)
	simtest.Control(t, http.MethodPost, url+"/_sim/resources/group", map[string]any{"profile": map[string]any{"name": "uid test group"}}, nil)
	inv.FullSync(context.Background())
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Lead auditor"}}, nil)
	inv.IncrementalSync(context.Background())

	recs := records(sink)
	seen := map[string]simtest.Record{}
	kinds := map[string]int{}
	for _, r := range recs {
		uid, _ := r.Attrs[attrLogRecordUID].(string)
		require.Regexp(t, recordUIDPattern, uid, "%s %s %s", r.Event, r.Type, r.ID)
		if prev, dup := seen[uid]; dup {
			t.Fatalf("log.record.uid %s shared by %s %s %s and %s %s %s", uid, prev.Event, prev.Type, prev.ID, r.Event, r.Type, r.ID)
		}
		seen[uid] = r
		kind := r.Event
		if ct, ok := r.Attrs[inventory.AttrChangeType].(string); ok {
			kind += "/" + ct + "/" + r.Attrs[inventory.AttrChangeTrigger].(string)
		}
		kinds[kind]++
	}
	for _, k := range []string{inventory.EventSnapshot, inventory.EventChange + "/updated/full_sync", inventory.EventChange + "/created/full_sync",
		inventory.EventChange + "/deleted/full_sync", inventory.EventChange + "/updated/incremental"} {
		assert.NotZero(t, kinds[k], "the run must produce %s records", k)
	}
}

// TestEventDrivenChangeLinksToItsEvent: a change that a System Log event triggered carries
// okta.Event.uuid (the event's uuid, the link to it) and a log.record.uid of its own; when
// several events for one object are merged into one refetch, the link names the newest.
func TestEventDrivenChangeLinksToItsEvent(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	users := srv.GroundTruth().IDs[string(resource.User)]
	sink.Reset()

	now := time.Now()
	event := func(uuid, user string, published time.Time) userEventRef {
		ev := userEvent("user.account.update_profile", user)
		ev.uuid, ev.published = uuid, published
		return ev
	}
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+users[0], map[string]any{"profile": map[string]any{"title": "Linked"}}, nil)
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+users[1], map[string]any{"profile": map[string]any{"title": "Merged"}}, nil)
	handleEvents(context.Background(), inv, triggerSystemLog, []userEventRef{
		event("evt-single", users[0], now),
		event("evt-older", users[1], now.Add(-time.Second)),
		event("evt-newer", users[1], now),
	})
	inv.DrainRefetches(context.Background())

	upd := changesOf(records(sink), string(resource.User), inventory.ChangeUpdated)
	require.Len(t, upd, 2)
	byUser := map[string]simtest.Record{upd[0].ID: upd[0], upd[1].ID: upd[1]}
	assert.Equal(t, "evt-single", byUser[users[0]].Attrs[inventory.AttrEventUUID])
	assert.Equal(t, "evt-newer", byUser[users[1]].Attrs[inventory.AttrEventUUID], "merged events link to the newest")
	for _, r := range upd {
		assert.Equal(t, triggerSystemLog, r.Attrs[inventory.AttrChangeTrigger])
		uid := r.Attrs[attrLogRecordUID].(string)
		assert.Regexp(t, recordUIDPattern, uid)
		assert.NotEqual(t, r.Attrs[inventory.AttrEventUUID], uid, "the record has an id of its own")
	}
	assert.NotEqual(t, upd[0].Attrs[attrLogRecordUID], upd[1].Attrs[attrLogRecordUID])

	// Full-sync and incremental changes name no event.
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+users[2], map[string]any{"profile": map[string]any{"title": "Polled"}}, nil)
	sink.Reset()
	inv.IncrementalSync(context.Background())
	inc := changesOf(records(sink), string(resource.User), inventory.ChangeUpdated)
	require.NotEmpty(t, inc)
	for _, r := range inc {
		assert.NotContains(t, r.Attrs, inventory.AttrEventUUID)
	}
}
