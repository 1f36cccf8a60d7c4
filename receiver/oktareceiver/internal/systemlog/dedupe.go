package systemlog

import "slices"

// uuidWindow remembers the most recent event uuids, bounded to a fixed capacity (oldest
// evicted first). It is not safe for concurrent use: Shared guards it.
type uuidWindow struct {
	capacity int
	ring     []string // insertion order; ring[next] is the oldest once full
	next     int
	full     bool
	set      map[string]struct{}
	// packed holds, for ring[i], its 16 bytes at packed[16i:16i+16] (checkpoint_uuids.go), kept
	// up to date on add so that a checkpoint does not re-parse the whole window on every page.
	// unpackable counts the uuids in the ring that are not canonical UUIDs (their bytes are
	// zero); while it is above zero the window is saved as strings.
	packed     []byte
	unpackable int
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
	var bin [uuidBinaryLen]byte
	packed, ok := appendPackedUUID(bin[:0], id)
	if !ok {
		w.unpackable++
		packed = bin[:]
	}
	if len(w.ring) < w.capacity {
		w.ring = append(w.ring, id)
		w.packed = append(w.packed, packed...)
		w.set[id] = struct{}{}
		return
	}
	evicted := w.ring[w.next]
	if w.unpackable > 0 {
		var scratch [uuidBinaryLen]byte // not bin: packed points into it
		if _, ok := appendPackedUUID(scratch[:0], evicted); !ok {
			w.unpackable--
		}
	}
	delete(w.set, evicted)
	w.ring[w.next] = id
	copy(w.packed[w.next*uuidBinaryLen:], packed)
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

// appendPackedSnapshot appends to dst the uuids oldest first in the packed form of the
// checkpoint (recent_uuids_bin), or returns false when some uuid in the window is not a
// canonical UUID. Each save reuses one buffer this way (160 KB for the default window).
func (w *uuidWindow) appendPackedSnapshot(dst []byte) ([]byte, bool) {
	if w.unpackable > 0 {
		return dst, false
	}
	out := slices.Grow(dst, len(w.packed))
	if !w.full {
		return append(out, w.packed...), true
	}
	cut := w.next * uuidBinaryLen
	out = append(out, w.packed[cut:]...)
	return append(out, w.packed[:cut]...), true
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
