package oktareceiver

// uuidWindow remembers the most recent event uuids, bounded to a fixed capacity (oldest
// evicted first). It is not safe for concurrent use: systemLogShared guards it.
type uuidWindow struct {
	capacity int
	ring     []string // insertion order; ring[next] is the oldest once full
	next     int
	full     bool
	set      map[string]struct{}
}

// newUUIDWindow returns an empty window holding at most capacity uuids (minimum 1).
func newUUIDWindow(capacity int) *uuidWindow {
	if capacity < 1 {
		capacity = 1
	}
	return &uuidWindow{
		capacity: capacity,
		ring:     make([]string, 0, min(capacity, 4096)),
		set:      make(map[string]struct{}, min(capacity, 4096)),
	}
}

// contains reports whether id was added and not yet evicted.
func (w *uuidWindow) contains(id string) bool {
	_, ok := w.set[id]
	return ok
}

// add records id (no-op when already present), evicting the oldest uuid when full.
func (w *uuidWindow) add(id string) {
	if _, ok := w.set[id]; ok {
		return
	}
	if len(w.ring) < w.capacity {
		w.ring = append(w.ring, id)
		w.set[id] = struct{}{}
		return
	}
	delete(w.set, w.ring[w.next])
	w.ring[w.next] = id
	w.set[id] = struct{}{}
	w.next = (w.next + 1) % w.capacity
	w.full = true
}

// len returns the number of uuids remembered.
func (w *uuidWindow) len() int { return len(w.ring) }

// snapshot returns the uuids oldest first (the form saved with the checkpoint).
func (w *uuidWindow) snapshot() []string {
	out := make([]string, 0, len(w.ring))
	if !w.full {
		return append(out, w.ring...)
	}
	out = append(out, w.ring[w.next:]...)
	return append(out, w.ring[:w.next]...)
}

// restore adds ids oldest first; if there are more than the capacity, the newest are kept.
func (w *uuidWindow) restore(ids []string) {
	if len(ids) > w.capacity {
		ids = ids[len(ids)-w.capacity:]
	}
	for _, id := range ids {
		if id != "" {
			w.add(id)
		}
	}
}
