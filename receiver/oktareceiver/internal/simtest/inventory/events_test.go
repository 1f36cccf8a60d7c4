package inventory_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// userEventRef is a System Log event whose one target is a user.
type userEventRef struct {
	uuid, eventType, userID string
	published               time.Time
}

func userEvent(eventType, userID string) userEventRef {
	return userEventRef{eventType: eventType, userID: userID}
}

// handleEvents tells inv the changes that events announce, by the event rules of the resource
// table, as the System Log does for events that name a user.
func handleEvents(ctx context.Context, inv *inventory.Inventory, trigger string, events []userEventRef) {
	var changes []resource.Change
	for _, ev := range events {
		spec, rule := resource.EventRuleFor(ev.eventType)
		if rule == nil {
			continue
		}
		changes = append(changes, resource.Change{Type: spec.Type, ID: ev.userID, Children: rule.Children,
			Published: ev.published, EventUUID: ev.uuid})
	}
	inv.HandleChanges(ctx, trigger, changes)
}

// TestHandleEventsRefetchesNamedObjects: a System Log event naming a user makes the
// inventory refetch it (updated change with trigger system_log); a deleted user (404)
// yields a deleted change.
func TestHandleEventsRefetchesNamedObjects(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	ids := srv.GroundTruth().IDs[string(resource.User)]
	updated, deleted := ids[0], ids[1]
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+updated, map[string]any{"profile": map[string]any{"department": "QA"}}, nil)
	// Like Okta, the first DELETE deprovisions an active user, the second deletes it.
	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/user/"+deleted, nil, nil)
	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/user/"+deleted, nil, nil)
	sink.Reset()

	handleEvents(context.Background(), inv, triggerSystemLog, []userEventRef{
		userEvent("user.account.update_profile", updated),
		userEvent("user.lifecycle.delete.completed", deleted),
		userEvent("user.session.start", ids[2]), // names a user but changes nothing: ignored
	})
	inv.DrainRefetches(context.Background())
	recs := records(sink)
	upd := changesOf(recs, string(resource.User), inventory.ChangeUpdated)
	require.Len(t, upd, 1)
	assert.Equal(t, updated, upd[0].ID)
	assert.Equal(t, triggerSystemLog, upd[0].Attrs[inventory.AttrChangeTrigger])
	assert.Contains(t, upd[0].Attrs[inventory.AttrChangeFields], "profile.department")
	del := changesOf(recs, string(resource.User), inventory.ChangeDeleted)
	require.Len(t, del, 1)
	assert.Equal(t, deleted, del[0].ID)
	assert.False(t, inv.Known(string(resource.User), deleted))
}

// TestRefetchSkipsEventsTheFullSyncAlreadySaw: an event published well before the last full
// listing of its type is not refetched (counted as skipped); a newer one is.
func TestRefetchSkipsEventsTheFullSyncAlreadySaw(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	ids := srv.GroundTruth().IDs[string(resource.User)]
	for _, id := range ids[:2] {
		simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+id, map[string]any{"profile": map[string]any{"department": "Audit"}}, nil)
	}
	sink.Reset()

	old := userEvent("user.account.update_profile", ids[0])
	old.published = time.Now().Add(-time.Hour)
	fresh := userEvent("user.account.update_profile", ids[1])
	fresh.published = time.Now()
	handleEvents(context.Background(), inv, triggerSystemLog, []userEventRef{old, fresh})
	inv.DrainRefetches(context.Background())
	upd := changesOf(records(sink), string(resource.User), inventory.ChangeUpdated)
	require.Len(t, upd, 1)
	assert.Equal(t, ids[1], upd[0].ID, "only the event newer than the full sync is refetched")
	assert.Equal(t, int64(1), inv.Stats().RefetchSkipped)
}

// TestRefetchesWaitForTheFirstFullSync: an event delivered before the first full sync has
// listed everything (a System Log backfill at start) is not refetched into a "created" change
// for an object that already exists; its refetch runs once that sync is done, and finds the
// object as the baseline saw it (no change record).
func TestRefetchesWaitForTheFirstFullSync(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	user := srv.GroundTruth().IDs[string(resource.User)][0]

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); inv.RefetchLoop(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	handleEvents(ctx, inv, triggerSystemLog, []userEventRef{userEvent("user.account.update_profile", user)})
	require.Eventually(t, func() bool { return inv.Stats().RefetchWaits > 0 }, 5*time.Second, 10*time.Millisecond,
		"the refetch loop wakes up for the queued task")
	assert.Empty(t, changesOf(records(sink), string(resource.User), inventory.ChangeCreated), "no refetch before the first full sync")
	assert.Equal(t, 1, inv.PendingRefetches(), "the task waits in the queue")

	inv.FullSync(ctx)
	require.Eventually(t, func() bool {
		return inv.PendingRefetches() == 0
	}, 5*time.Second, 20*time.Millisecond, "the end of the first full sync runs the queued refetch")
	recs := records(sink)
	assert.Empty(t, changesOf(recs, string(resource.User), inventory.ChangeCreated), "the baseline already holds the user")
	assert.Empty(t, changesOf(recs, string(resource.User), inventory.ChangeUpdated), "the user did not change")
}
