package rulesprocessor

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestWindowCounterFiresOncePerWindow(t *testing.T) {
	w := newWindowCounter(3, time.Minute, 100)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

	fired, _ := w.add("alice", at(0))
	assert.False(t, fired)
	fired, _ = w.add("alice", at(10))
	assert.False(t, fired)
	fired, n := w.add("alice", at(20))
	assert.True(t, fired, "third event within the window reaches the threshold")
	assert.Equal(t, 3, n)
	for s := 25; s < 80; s += 5 {
		fired, _ = w.add("alice", at(s))
		assert.False(t, fired, "silent until the window that fired has passed (t=%ds)", s)
	}
	// After the silence the count starts over.
	fired, _ = w.add("alice", at(81))
	assert.False(t, fired)
	fired, _ = w.add("alice", at(82))
	assert.False(t, fired)
	fired, _ = w.add("alice", at(83))
	assert.True(t, fired)
}

func TestWindowCounterSlides(t *testing.T) {
	w := newWindowCounter(3, time.Minute, 100)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w.add("bob", t0)
	w.add("bob", t0.Add(30*time.Second))
	fired, n := w.add("bob", t0.Add(61*time.Second))
	assert.False(t, fired, "the first event left the window")
	assert.Equal(t, 2, n)
	// Keys are independent.
	fired, _ = w.add("carol", t0.Add(62*time.Second))
	assert.False(t, fired)
}

func TestWindowCounterBoundedKeys(t *testing.T) {
	w := newWindowCounter(2, time.Hour, 3)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		w.add(fmt.Sprintf("ip-%d", i), t0)
	}
	assert.Equal(t, 3, w.size(), "keys are capped")
	assert.Equal(t, int64(7), w.evicted)
	// ip-9 survived (most recent) and fires on its second event; ip-0 was evicted and starts over.
	fired, _ := w.add("ip-9", t0.Add(time.Second))
	assert.True(t, fired)
	fired, _ = w.add("ip-0", t0.Add(time.Second))
	assert.False(t, fired)
}

// TestWindowCounterOwnsKeys adds a key that aliases a larger buffer (as a string read from a
// page decoded in place does): the counter keeps a copy, so the buffer can be reused or freed.
func TestWindowCounterOwnsKeys(t *testing.T) {
	w := newWindowCounter(2, time.Hour, 10)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	page := []byte(`{"actor":{"id":"00ualice"}}`)
	key := unsafe.String(&page[16], 8) //nolint:gosec // G103: "00ualice" sharing page's memory, as a decoder's zero-copy string does
	w.add(key, t0)

	for s := range w.keys {
		assert.False(t, sameMemory(key, s), "map key aliases the page")
	}
	g := w.lru.Front().Value.(*groupWindow)
	assert.False(t, sameMemory(key, g.key), "group key aliases the page")

	for i := range page {
		page[i] = 'x' // the page is reused for the next response
	}
	assert.Equal(t, "00ualice", g.key)
	fired, n := w.add("00ualice", t0.Add(time.Second))
	assert.True(t, fired, "the second event of the same key reaches the threshold")
	assert.Equal(t, 2, n)
}

// sameMemory reports whether two strings start at the same address.
func sameMemory(a, b string) bool {
	return unsafe.StringData(a) == unsafe.StringData(b) //nolint:gosec // G103: compares addresses, reads nothing
}
