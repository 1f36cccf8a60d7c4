package oktasim

import (
	"container/heap"
	"context"
	"time"
)

// lateEvent is a generated event waiting to be persisted at due (Unix ms).
type lateEvent struct {
	due   int64
	order uint64 // queue order: events due at the same time keep it
	ev    *storedEvent
}

// lateQueue is a min-heap of late events by due time.
type lateQueue []lateEvent

func (q lateQueue) Len() int { return len(q) }
func (q lateQueue) Less(i, j int) bool {
	return q[i].due < q[j].due || q[i].due == q[j].due && q[i].order < q[j].order
}
func (q lateQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *lateQueue) Push(x any)   { *q = append(*q, x.(lateEvent)) }
func (q *lateQueue) Pop() any {
	old := *q
	n := len(old) - 1
	x := old[n]
	old[n] = lateEvent{}
	*q = old[:n]
	return x
}

// runLatePersister persists late events when they fall due.
func (l *logStore) runLatePersister(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := l.persistDueLate()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-timer.C:
		}
	}
}

// persistDueLate persists every late event that is due and returns how long
// to wait for the next one. It holds pendingMu until the events are
// persisted, so that a reader of the pending count never sees an event that
// is neither pending nor persisted.
func (l *logStore) persistDueLate() time.Duration {
	nowMs := l.now().UnixMilli()
	var due []*storedEvent
	wait := time.Hour
	l.pendingMu.Lock()
	defer l.pendingMu.Unlock()
	for l.pending.Len() > 0 {
		if next := l.pending[0].due; next > nowMs {
			wait = time.Duration(next-nowMs) * time.Millisecond
			break
		}
		due = append(due, heap.Pop(&l.pending).(lateEvent).ev)
	}
	l.persist(due)
	return wait
}
