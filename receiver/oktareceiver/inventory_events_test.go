package oktareceiver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// handleEvents tells inv the changes that events announce, as the System Log does.
func handleEvents(ctx context.Context, inv *inventory, trigger string, events []systemLogEventRef) {
	inv.handleChanges(ctx, trigger, eventChanges(events))
}

func userEvent(eventType, userID string) systemLogEventRef {
	return systemLogEventRef{eventType: eventType, targets: []eventTarget{{typ: "User", id: userID}}}
}

// TestHandleEventsRefetchesNamedObjects: a System Log event naming a user makes the
// inventory refetch it (updated change with trigger system_log); a deleted user (404)
// yields a deleted change.
func TestHandleEventsRefetchesNamedObjects(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	ids := srv.GroundTruth().IDs[resUser]
	updated, deleted := ids[0], ids[1]
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+updated, map[string]any{"profile": map[string]any{"department": "QA"}})
	// Like Okta, the first DELETE deprovisions an active user, the second deletes it.
	simControl(t, http.MethodDelete, url+"/_sim/resources/user/"+deleted, nil)
	simControl(t, http.MethodDelete, url+"/_sim/resources/user/"+deleted, nil)
	sink.Reset()

	handleEvents(context.Background(), inv, triggerSystemLog, []systemLogEventRef{
		userEvent("user.account.update_profile", updated),
		userEvent("user.lifecycle.delete.completed", deleted),
		userEvent("user.session.start", ids[2]), // names a user but changes nothing: ignored
	})
	inv.drainRefetchQueue(context.Background())
	recs := records(sink)
	upd := changesOf(recs, resUser, changeUpdated)
	require.Len(t, upd, 1)
	assert.Equal(t, updated, upd[0].id)
	assert.Equal(t, triggerSystemLog, upd[0].attrs[attrChangeTrigger])
	assert.Contains(t, upd[0].attrs[attrChangeFields], "profile.department")
	del := changesOf(recs, resUser, changeDeleted)
	require.Len(t, del, 1)
	assert.Equal(t, deleted, del[0].id)
	assert.False(t, inv.state.known(resUser, deleted))
}

// TestRefetchQueueDropsOldest: the queue never blocks; when full the oldest task goes.
func TestRefetchQueueDropsOldest(t *testing.T) {
	q := newRefetchQueue(2)
	assert.Zero(t, q.push(refetchTask{typ: resUser, id: "a"}))
	assert.Zero(t, q.push(refetchTask{typ: resUser, id: "a"}), "duplicates are merged")
	assert.Zero(t, q.push(refetchTask{typ: resUser, id: "b"}))
	assert.Equal(t, 1, q.push(refetchTask{typ: resUser, id: "c"}))
	first, _ := q.pop()
	second, _ := q.pop()
	_, more := q.pop()
	assert.Equal(t, []string{"b", "c"}, []string{first.id, second.id})
	assert.False(t, more)
}

// TestRefetchSkipsEventsTheFullSyncAlreadySaw: an event published well before the last full
// listing of its type is not refetched (counted as skipped); a newer one is.
func TestRefetchSkipsEventsTheFullSyncAlreadySaw(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	ids := srv.GroundTruth().IDs[resUser]
	for _, id := range ids[:2] {
		simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+id, map[string]any{"profile": map[string]any{"department": "Audit"}})
	}
	sink.Reset()

	old := userEvent("user.account.update_profile", ids[0])
	old.published = time.Now().Add(-time.Hour)
	fresh := userEvent("user.account.update_profile", ids[1])
	fresh.published = time.Now()
	handleEvents(context.Background(), inv, triggerSystemLog, []systemLogEventRef{old, fresh})
	inv.drainRefetchQueue(context.Background())
	upd := changesOf(records(sink), resUser, changeUpdated)
	require.Len(t, upd, 1)
	assert.Equal(t, ids[1], upd[0].id, "only the event newer than the full sync is refetched")
	assert.Equal(t, int64(1), inv.refetchSkipped.Load())
}

// TestRefetchQueueMergeKeepsNewestPublished: a task merged into a pending one carries the
// newest published time of the two, so a recent event is never skipped because an older
// one queued the same object first.
func TestRefetchQueueMergeKeepsNewestPublished(t *testing.T) {
	q := newRefetchQueue(10)
	older, newer := time.Now().Add(-time.Hour), time.Now()
	q.push(refetchTask{typ: resUser, id: "a", published: older})
	q.push(refetchTask{typ: resUser, id: "a", published: newer})
	q.push(refetchTask{typ: resUser, id: "a", published: older})
	got, ok := q.pop()
	require.True(t, ok)
	assert.True(t, got.published.Equal(newer))
}

// TestRefetchesWaitForTheFirstFullSync: an event delivered before the first full sync has
// listed everything (a System Log backfill at start) is not refetched into a "created" change
// for an object that already exists; its refetch runs once that sync is done, and finds the
// object as the baseline saw it (no change record).
func TestRefetchesWaitForTheFirstFullSync(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	user := srv.GroundTruth().IDs[resUser][0]

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); inv.refetchLoop(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	handleEvents(ctx, inv, triggerSystemLog, []systemLogEventRef{userEvent("user.account.update_profile", user)})
	time.Sleep(300 * time.Millisecond) // the loop was signalled; it must leave the task queued
	assert.Empty(t, changesOf(records(sink), resUser, changeCreated), "no refetch before the first full sync")
	inv.refetch.mu.Lock()
	queued := len(inv.refetch.items)
	inv.refetch.mu.Unlock()
	assert.Equal(t, 1, queued, "the task waits in the queue")

	inv.fullSync(ctx)
	require.Eventually(t, func() bool {
		inv.refetch.mu.Lock()
		defer inv.refetch.mu.Unlock()
		return len(inv.refetch.items) == 0
	}, 5*time.Second, 20*time.Millisecond, "the end of the first full sync runs the queued refetch")
	recs := records(sink)
	assert.Empty(t, changesOf(recs, resUser, changeCreated), "the baseline already holds the user")
	assert.Empty(t, changesOf(recs, resUser, changeUpdated), "the user did not change")
}
