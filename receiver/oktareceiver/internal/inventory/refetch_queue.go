package inventory

import (
	"sync"
	"time"
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
	// published is when the newest event calling for this task was published (zero: unknown);
	// a task whose events all precede the type's last full listing is skipped (refetchNeeded).
	published time.Time
	// eventUUID is the uuid of that newest event: the change record links to it.
	eventUUID string
}

// cause is what the change records of t name: its trigger and the uuid of the newest
// event behind it.
func (t refetchTask) cause() changeCause {
	return changeCause{trigger: t.trigger, eventUUID: t.eventUUID}
}

func (t refetchTask) key() string {
	return t.typ + "|" + t.id + "|" + t.groupID
}

// refetchQueue is a bounded FIFO with drop-oldest and de-duplication of pending tasks.
type refetchQueue struct {
	mu      sync.Mutex
	items   []refetchTask
	pending map[string]newestEvent // key -> newest event of the merged tasks
	size    int
	closed  bool
	signal  chan struct{}
}

// newestEvent is the newest of the events merged into one pending task.
type newestEvent struct {
	published time.Time
	uuid      string
}

func newRefetchQueue(size int) *refetchQueue {
	return &refetchQueue{pending: map[string]newestEvent{}, size: size, signal: make(chan struct{}, 1)}
}

// push adds t; it never blocks. A task already pending absorbs t (keeping the newest
// published time of the two and that event's uuid). It returns the number of tasks
// dropped (0 or 1).
func (q *refetchQueue) push(t refetchTask) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0
	}
	key := t.key()
	if newest, ok := q.pending[key]; ok {
		if t.published.After(newest.published) {
			q.pending[key] = newestEvent{published: t.published, uuid: t.eventUUID}
		}
		return 0
	}
	dropped := 0
	if len(q.items) >= q.size {
		delete(q.pending, q.items[0].key())
		q.items = q.items[1:]
		dropped = 1
	}
	q.items = append(q.items, t)
	q.pending[key] = newestEvent{published: t.published, uuid: t.eventUUID}
	q.wake()
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
	newest := q.pending[t.key()]
	t.published, t.eventUUID = newest.published, newest.uuid
	delete(q.pending, t.key())
	return t, true
}

// len returns the number of pending tasks.
func (q *refetchQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// wake makes the worker look at the queue again (without adding anything).
func (q *refetchQueue) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *refetchQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
}
