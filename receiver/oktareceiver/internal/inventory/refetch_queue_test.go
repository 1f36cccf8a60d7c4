package inventory

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// TestRefetchQueueDropsOldest: the queue never blocks; when full the oldest task goes.
func TestRefetchQueueDropsOldest(t *testing.T) {
	q := newRefetchQueue(2)
	assert.Zero(t, q.push(refetchTask{typ: string(resource.User), id: "a"}))
	assert.Zero(t, q.push(refetchTask{typ: string(resource.User), id: "a"}), "duplicates are merged")
	assert.Zero(t, q.push(refetchTask{typ: string(resource.User), id: "b"}))
	assert.Equal(t, 1, q.push(refetchTask{typ: string(resource.User), id: "c"}))
	first, _ := q.pop()
	second, _ := q.pop()
	_, more := q.pop()
	assert.Equal(t, []string{"b", "c"}, []string{first.id, second.id})
	assert.False(t, more)
}

// TestRefetchQueueMergeKeepsNewestPublished: a task merged into a pending one carries the
// newest published time of the two, so a recent event is never skipped because an older
// one queued the same object first.
func TestRefetchQueueMergeKeepsNewestPublished(t *testing.T) {
	q := newRefetchQueue(10)
	older, newer := time.Now().Add(-time.Hour), time.Now()
	q.push(refetchTask{typ: string(resource.User), id: "a", published: older})
	q.push(refetchTask{typ: string(resource.User), id: "a", published: newer})
	q.push(refetchTask{typ: string(resource.User), id: "a", published: older})
	got, ok := q.pop()
	require.True(t, ok)
	assert.True(t, got.published.Equal(newer))
}

// TestRefetchTaskOfAChangeWithoutPublishedCountsAsNew: a change without a published time is
// treated as published now, so no earlier listing can make its refetch look unnecessary.
func TestRefetchTaskOfAChangeWithoutPublishedCountsAsNew(t *testing.T) {
	change := resource.Change{Type: resource.User, ID: "00u1"}
	now := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	task := refetchTaskFor(change, "system_log", now)
	assert.Equal(t, now, task.published)
	assert.Equal(t, refetchTask{typ: "user", id: "00u1", trigger: "system_log", published: now}, task)
}
