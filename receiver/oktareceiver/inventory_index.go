package oktareceiver

import "hash/maphash"

// The id index of a type: an open-addressing hash table (linear probing) of slot numbers,
// with the ids themselves stored once in a chunked byte arena referenced by the slots.
// Compared with a map[string]uint32 it saves the map's string headers, the per-id string
// allocations and most of the map's slack: ~8 bytes per object plus the id bytes.

const (
	idChunkBits = 16
	idChunkSize = 1 << idChunkBits
	// maxIDLen is the longest id the state can keep (Okta ids are 20 characters,
	// composite ids 41): an object with a longer id is not tracked.
	maxIDLen = idChunkSize - 1
)

// idHashSeed is the seed of the id hashes (one per process).
var idHashSeed = maphash.MakeSeed()

func idHash(id string) uint64 { return maphash.String(idHashSeed, id) }

// idHashBytes equals idHash(string(id)) without the conversion.
func idHashBytes(id []byte) uint64 { return maphash.Bytes(idHashSeed, id) }

// idOf returns the id of slot sl as bytes aliasing the arena.
func (ts *typeState) idOf(sl *objSlot) []byte {
	c, p := sl.idRef>>idChunkBits, sl.idRef&(idChunkSize-1)
	return ts.ids[c][p : p+uint32(sl.idLen)]
}

// idString returns a copy of the id of slot sl.
func (ts *typeState) idString(sl *objSlot) string { return string(ts.idOf(sl)) }

// putID stores id in the arena for sl.
func (ts *typeState) putID(sl *objSlot, id string) { ts.putIDBytes(sl, []byte(id)) }

// putIDBytes stores id in the arena for sl.
func (ts *typeState) putIDBytes(sl *objSlot, id []byte) {
	last := len(ts.ids) - 1
	if last < 0 || len(ts.ids[last])+len(id) > idChunkSize {
		ts.ids = append(ts.ids, ts.mem.alloc(idChunkSize)[:0])
		last++
	}
	c := ts.ids[last]
	sl.idRef, sl.idLen = uint32(last)<<idChunkBits|uint32(len(c)), uint16(len(id))
	ts.ids[last] = append(c, id...)
	ts.idBytes += len(id)
	ts.idTotal += len(id)
}

// lookup returns the table position of id and its slot number (ok false: position is
// the empty cell where id would go). The table must not be empty.
func (ts *typeState) lookup(id string) (pos int, n uint32, ok bool) {
	mask := len(ts.table) - 1
	for i := int(idHash(id)) & mask; ; i = (i + 1) & mask {
		v := ts.table[i]
		if v == 0 {
			return i, 0, false
		}
		if string(ts.idOf(ts.slot(v-1))) == id {
			return i, v - 1, true
		}
	}
}

// find returns the slot number of id.
func (ts *typeState) find(id string) (uint32, bool) {
	if ts.count == 0 {
		return 0, false
	}
	_, n, ok := ts.lookup(id)
	return n, ok
}

// insert adds id (not present) with slot number n, whose id is already stored.
func (ts *typeState) insert(id string, n uint32) {
	if (ts.count+1)*4 > len(ts.table)*3 {
		ts.grow()
	}
	pos, _, _ := ts.lookup(id)
	ts.table[pos] = n + 1
	ts.count++
}

// grow doubles the table and re-inserts every slot.
func (ts *typeState) grow() {
	size := max(64, 2*len(ts.table))
	old := ts.table
	ts.table = ts.mem.uint32s(size)
	defer ts.mem.freeUint32s(old)
	mask := size - 1
	ts.eachSlot(func(n uint32, sl *objSlot) {
		i := int(idHashBytes(ts.idOf(sl))) & mask
		for ts.table[i] != 0 {
			i = (i + 1) & mask
		}
		ts.table[i] = n + 1
	})
}

// unlink removes id from the table (backward-shift deletion keeps probe chains intact).
func (ts *typeState) unlink(id string) {
	if ts.count == 0 {
		return
	}
	i, _, ok := ts.lookup(id)
	if !ok {
		return
	}
	mask := len(ts.table) - 1
	ts.table[i] = 0
	ts.count--
	for j := (i + 1) & mask; ts.table[j] != 0; j = (j + 1) & mask {
		k := int(idHashBytes(ts.idOf(ts.slot(ts.table[j]-1)))) & mask
		// The entry at j may stay if its home k lies cyclically in (i, j].
		if (i <= j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue
		}
		ts.table[i], ts.table[j] = ts.table[j], 0
		i = j
	}
}

// eachSlot calls fn for every live slot (idLen > 0).
func (ts *typeState) eachSlot(fn func(n uint32, sl *objSlot)) {
	for n := uint32(0); n < ts.nslots; n++ {
		if sl := ts.slot(n); sl.idLen > 0 {
			fn(n, sl)
		}
	}
}

// compactIDs rewrites the id arena when more than half of it belongs to removed objects.
func (ts *typeState) compactIDs() {
	if ts.idTotal-ts.idBytes < idChunkSize || ts.idTotal-ts.idBytes < ts.idBytes {
		return
	}
	old := ts.ids
	ts.ids, ts.idBytes, ts.idTotal = nil, 0, 0
	ts.eachSlot(func(_ uint32, sl *objSlot) {
		c, p := sl.idRef>>idChunkBits, sl.idRef&(idChunkSize-1)
		ts.putIDBytes(sl, old[c][p:p+uint32(sl.idLen)])
	})
	for _, c := range old {
		ts.mem.freeBytes(c)
	}
}
