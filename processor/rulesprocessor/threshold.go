package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"container/list"
	"strings"
	"time"
)

// windowCounter keeps, for one threshold rule, a sliding window of event times per group key.
// It holds at most maxKeys keys; adding a new key beyond that evicts the least recently seen.
// It is not safe for concurrent use (the processor serialises access).
type windowCounter struct {
	count   int
	window  time.Duration
	maxKeys int
	keys    map[string]*list.Element
	lru     *list.List // front = most recently seen; values are *groupWindow
	evicted int64
}

// groupWindow is the state of one group key.
type groupWindow struct {
	key string
	// times holds the event times inside the window, oldest first.
	times []time.Time
	// silencedUntil suppresses further findings for this key until the window that fired has passed.
	silencedUntil time.Time
}

func newWindowCounter(count int, window time.Duration, maxKeys int) *windowCounter {
	return &windowCounter{count: count, window: window, maxKeys: maxKeys, keys: map[string]*list.Element{}, lru: list.New()}
}

// add records one matching event of key at t and reports whether the threshold is reached now:
// count events within window. After firing, the key is silent until t+window and starts over,
// so one burst gives one finding. The second result is the number of events in the window.
func (w *windowCounter) add(key string, t time.Time) (bool, int) {
	var g *groupWindow
	if el, ok := w.keys[key]; ok {
		w.lru.MoveToFront(el)
		g = el.Value.(*groupWindow)
	} else {
		if len(w.keys) >= w.maxKeys {
			oldest := w.lru.Back()
			w.lru.Remove(oldest)
			delete(w.keys, oldest.Value.(*groupWindow).key)
			w.evicted++
		}
		// The key usually points into the record (a System Log page decoded in place): the
		// window outlives the page, so it keeps a copy of its own rather than pin the page.
		owned := strings.Clone(key)
		g = &groupWindow{key: owned}
		w.keys[owned] = w.lru.PushFront(g)
	}
	cutoff := t.Add(-w.window)
	drop := 0
	for drop < len(g.times) && !g.times[drop].After(cutoff) {
		drop++
	}
	g.times = append(g.times[:0], g.times[drop:]...)
	if t.Before(g.silencedUntil) {
		return false, len(g.times)
	}
	g.times = append(g.times, t)
	n := len(g.times)
	if n < w.count {
		return false, n
	}
	g.silencedUntil = t.Add(w.window)
	g.times = g.times[:0]
	return true, n
}

// size is the number of group keys held.
func (w *windowCounter) size() int { return len(w.keys) }
