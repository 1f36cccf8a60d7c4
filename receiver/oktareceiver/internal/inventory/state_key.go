package inventory

import (
	"encoding/binary"
	"strings"
)

// The state keeps each object under a compact key rather than its id. Most objects of a
// large org are children with a composite id "<parent>/<own>" (group members, app users):
// 41 bytes, so a 48-byte allocation per object. Their parent id is interned anyway (the
// record's parent), so the key stores the parent's interned number instead: a marker byte,
// the number as a uvarint (2 bytes for up to 16k parents) and the own id, 23 bytes in a
// 24-byte allocation. Other ids are kept as they are.
//
// The mapping is one to one for any id a response may carry: a key whose first byte is
// keyEscaped or keyChild is decoded by that byte, and an id that itself starts with one of
// those bytes is stored behind keyEscaped. Keys never leave the state: every method takes
// and returns ids.
const (
	keyEscaped = 0x00 // the rest of the key is the id
	keyChild   = 0x01 // uvarint of the interned parent, then the own id
)

// appendKey appends the key of id to b (caller holds mu). With intern false, it reports
// false when the parent of a composite id was never interned: no object has that key.
func (s *inventoryState) appendKey(b []byte, id string, intern bool) ([]byte, bool) {
	if parent, own, ok := strings.Cut(id, "/"); ok {
		var pid uint32
		if intern {
			pid = s.vals.id(parent)
		} else if pid, ok = s.vals.lookup(parent); !ok {
			return b, false
		}
		b = binary.AppendUvarint(append(b, keyChild), uint64(pid))
		return append(b, own...), true
	}
	if id != "" && id[0] > keyChild {
		return append(b, id...), true
	}
	return append(append(b, keyEscaped), id...), true
}

// keyOf returns the key of id in a scratch buffer valid until the next call, interning a
// composite id's parent (caller holds mu).
func (s *inventoryState) keyOf(id string) []byte {
	s.keyScratch, _ = s.appendKey(s.keyScratch[:0], id, true)
	return s.keyScratch
}

// lookupKey is keyOf without interning: false when no object can have id's key.
func (s *inventoryState) lookupKey(id string) ([]byte, bool) {
	var ok bool
	s.keyScratch, ok = s.appendKey(s.keyScratch[:0], id, false)
	return s.keyScratch, ok
}

// idOf returns the id that key stands for (caller holds mu).
func (s *inventoryState) idOf(key string) string {
	if key == "" || key[0] > keyChild {
		return key
	}
	if key[0] == keyEscaped {
		return key[1:]
	}
	pid, n := binary.Uvarint([]byte(key[1:]))
	if n <= 0 {
		return key // not produced by appendKey
	}
	return s.vals.text(uint32(pid)) + "/" + key[1+n:]
}
