package oktareceiver

import (
	"runtime"
	"slices"
	"sort"
	"sync"
)

// The inventory state keeps, per resource type and object id, only what deletion and
// change detection and the metrics need: a fingerprint (one 32-bit hash per field path),
// the interned metric dimensions, the interned parent id and the generation of the last
// full sync that saw it. Bodies are never kept.
//
// Memory layout (issue 3: a 100k-user org must sync in ≤ 256 MiB): an object costs one
// map entry (id → slot number), one fixed-size pointer-free slot in a chunked table, and
// its field hashes in a chunked uint32 arena. The field paths of an object are not stored
// per object: the sorted list of path ids ("shape") is interned once and shared by every
// object with the same fields, so a user costs ~200 bytes and a factor ~140 bytes.

// interner maps strings to small ids and back; id 0 is "".
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner { return &interner{ids: map[string]uint32{"": 0}, strs: []string{""}} }

func (in *interner) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := uint32(len(in.strs))
	s = string([]byte(s)) // own copy: s may point into a large decoded page
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

// idBytes is id for a key held in a scratch buffer (no allocation when already known).
func (in *interner) idBytes(b []byte) uint32 {
	if id, ok := in.ids[string(b)]; ok {
		return id
	}
	return in.id(string(b))
}

func (in *interner) str(id uint32) string { return in.strs[id] }

// shapeTable interns sorted lists of field path ids.
type shapeTable struct {
	ids   map[string]uint32 // little-endian encoded path ids -> shape id
	paths [][]uint32        // shape id -> sorted path ids
	key   []byte            // scratch
}

func newShapeTable() *shapeTable {
	return &shapeTable{ids: map[string]uint32{"": 0}, paths: [][]uint32{nil}}
}

func (t *shapeTable) id(paths []uint32) uint32 {
	t.key = t.key[:0]
	for _, p := range paths {
		t.key = append(t.key, byte(p), byte(p>>8), byte(p>>16), byte(p>>24))
	}
	if id, ok := t.ids[string(t.key)]; ok {
		return id
	}
	id := uint32(len(t.paths))
	t.ids[string(t.key)] = id
	t.paths = append(t.paths, slices.Clone(paths))
	return id
}

const (
	slotChunkBits  = 12
	slotChunkSize  = 1 << slotChunkBits
	hashChunkWords = 1 << 16
)

// objSlot is what the inventory remembers about one object. It holds no pointers, so the
// garbage collector never scans the slot table.
type objSlot struct {
	chunk  uint32 // hash arena chunk of the field hashes
	pos    uint32 // offset of the field hashes in the chunk
	shape  uint32 // interned sorted field paths (len = number of hashes)
	dim    uint32 // interned metric dimensions (e.g. "ACTIVE" or "ACTIVE\x00SAML_2_0")
	parent uint32 // interned parent id (0 = none)
	gen    uint32 // generation of the last full sync that saw the object
	idRef  uint32 // id arena chunk<<idChunkBits | offset
	idLen  uint16 // id length; 0 = free slot
}

// typeState holds the objects of one resource type.
type typeState struct {
	table            []uint32    // open-addressing id index of slot numbers + 1 (inventory_index.go)
	count            int         // live objects
	ids              [][]byte    // id arena, chunks of idChunkSize bytes
	idBytes, idTotal int         // id arena bytes live / appended since the last compaction
	slots            [][]objSlot // chunks of slotChunkSize slots
	nslots           uint32
	free             []uint32          // slot numbers of removed objects
	values           map[uint32]int64  // slot -> numeric side value (a group's usersCount), non-zero only
	names            map[string]string // kept names (types in keepsName)

	hashes [][]uint32 // field hash arena, chunks of hashChunkWords (or larger for one huge object)
	used   int        // words in use (live objects)
	total  int        // words appended since the last compaction

	mem *offHeap // owner of the chunks above (inventory_mem.go)

	gen    uint32 // current full-sync generation of this type
	synced bool   // a full sync of this type completed at least once
}

func (ts *typeState) slot(n uint32) *objSlot {
	return &ts.slots[n>>slotChunkBits][n&(slotChunkSize-1)]
}

// newSlot returns a free slot number (reused or appended).
func (ts *typeState) newSlot() uint32 {
	if k := len(ts.free); k > 0 {
		n := ts.free[k-1]
		ts.free = ts.free[:k-1]
		return n
	}
	n := ts.nslots
	if int(n>>slotChunkBits) == len(ts.slots) {
		ts.slots = append(ts.slots, ts.mem.slots(slotChunkSize))
	}
	ts.nslots++
	return n
}

// fieldHashes returns the field hashes of sl (aliasing the arena).
func (s *inventoryState) fieldHashes(ts *typeState, sl *objSlot) []uint32 {
	n := uint32(len(s.shapes.paths[sl.shape]))
	if n == 0 {
		return nil
	}
	return ts.hashes[sl.chunk][sl.pos : sl.pos+n]
}

// store copies hashes into the arena for sl (in place when the length is unchanged).
func (s *inventoryState) store(ts *typeState, sl *objSlot, oldLen int, hashes []uint32) {
	if oldLen == len(hashes) && oldLen > 0 {
		copy(ts.hashes[sl.chunk][sl.pos:], hashes)
		return
	}
	ts.used -= oldLen
	if len(hashes) == 0 {
		sl.chunk, sl.pos = 0, 0
		return
	}
	last := len(ts.hashes) - 1
	if last < 0 || len(ts.hashes[last])+len(hashes) > cap(ts.hashes[last]) {
		ts.hashes = append(ts.hashes, ts.mem.uint32s(max(hashChunkWords, len(hashes)))[:0])
		last++
	}
	c := ts.hashes[last]
	sl.chunk, sl.pos = uint32(last), uint32(len(c))
	ts.hashes[last] = append(c, hashes...)
	ts.used += len(hashes)
	ts.total += len(hashes)
}

// compact rewrites the hash arena when more than half of it is dead (objects removed or
// re-shaped), so that churn never grows it without bound.
func (s *inventoryState) compact(ts *typeState) {
	if ts.total-ts.used < hashChunkWords || ts.total-ts.used < ts.used {
		return
	}
	old := ts.hashes
	ts.hashes, ts.used, ts.total = nil, 0, 0
	ts.eachSlot(func(_ uint32, sl *objSlot) {
		k := len(s.shapes.paths[sl.shape])
		if k == 0 {
			return
		}
		s.store(ts, sl, 0, old[sl.chunk][sl.pos:sl.pos+uint32(k)])
	})
	for _, c := range old {
		ts.mem.freeUint32s(c)
	}
}

// inventoryState is the inventory's memory, safe for concurrent use.
type inventoryState struct {
	mu     sync.Mutex
	types  map[string]*typeState
	paths  *interner // field paths
	vals   *interner // dims and parent ids
	shapes *shapeTable

	// scratch buffers of fingerprint (used under mu)
	fp      []fieldHash
	pathIDs []uint32
	hashes  []uint32
	keyBuf  []byte
}

// fieldHash is the hash of the value at one field path (path interned in paths).
type fieldHash struct {
	path uint32
	hash uint32
}

func newInventoryState() *inventoryState {
	return &inventoryState{types: map[string]*typeState{}, paths: newInterner(), vals: newInterner(), shapes: newShapeTable()}
}

func (s *inventoryState) typ(t string) *typeState {
	ts, ok := s.types[t]
	if !ok {
		ts = &typeState{mem: newOffHeap()}
		runtime.AddCleanup(ts, func(m *offHeap) { m.freeAll() }, ts.mem)
		s.types[t] = ts
	}
	return ts
}

// objectMeta is what the converter extracted from an object for the state.
type objectMeta struct {
	dim    string
	parent string
	name   string // kept only for types whose names label metrics (groups, apps, policies)
	value  int64
}

// upsertResult says what an upsert found.
type upsertResult struct {
	created bool
	changed []string // changed field paths (nil when created or unchanged)
}

// upsert records obj of type t under id. gen > 0 marks it seen by that full sync.
func (s *inventoryState) upsert(t, id string, obj map[string]any, meta objectMeta, gen uint32, keepName bool) upsertResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	shape, hashes := s.fingerprint(obj)
	dim, parent := s.vals.id(meta.dim), s.vals.id(meta.parent)
	var res upsertResult
	n, ok := ts.find(id)
	if ok {
		sl := ts.slot(n)
		res.changed = s.diff(sl.shape, s.fieldHashes(ts, sl), shape, hashes)
		if len(res.changed) > 0 || sl.shape != shape {
			oldLen := len(s.shapes.paths[sl.shape])
			sl.shape = shape
			s.store(ts, sl, oldLen, hashes)
		}
		sl.dim, sl.parent = dim, parent
		if gen > 0 {
			sl.gen = gen
		}
	} else {
		if id == "" || len(id) > maxIDLen {
			return upsertResult{created: true} // not trackable
		}
		n = ts.newSlot()
		sl := ts.slot(n)
		*sl = objSlot{shape: shape, dim: dim, parent: parent, gen: gen}
		s.store(ts, sl, 0, hashes)
		ts.putID(sl, id)
		ts.insert(id, n)
		res.created = true
	}
	s.setValue(ts, n, meta.value)
	if keepName {
		s.setName(ts, id, meta.name)
	}
	s.compact(ts)
	return res
}

func (s *inventoryState) setValue(ts *typeState, n uint32, v int64) {
	if v == 0 {
		delete(ts.values, n)
		return
	}
	if ts.values == nil {
		ts.values = map[uint32]int64{}
	}
	ts.values[n] = v
}

func (s *inventoryState) setName(ts *typeState, id, name string) {
	if ts.names == nil {
		ts.names = map[string]string{}
	}
	if old, ok := ts.names[id]; ok && old == name {
		return
	}
	ts.names[string([]byte(id))] = string([]byte(name))
}

// drop forgets slot n of id (caller holds mu).
func (s *inventoryState) drop(ts *typeState, id string, n uint32) {
	sl := ts.slot(n)
	ts.unlink(id)
	ts.used -= len(s.shapes.paths[sl.shape])
	ts.idBytes -= int(sl.idLen)
	*sl = objSlot{}
	delete(ts.names, id)
	delete(ts.values, n)
	ts.free = append(ts.free, n)
}

// remove forgets t/id and reports whether it was known.
func (s *inventoryState) remove(t, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	n, ok := ts.find(id)
	if !ok {
		return false
	}
	s.drop(ts, id, n)
	s.compact(ts)
	ts.compactIDs()
	return true
}

// known reports whether t/id is in the state.
func (s *inventoryState) known(t, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.typ(t).find(id)
	return ok
}

// beginSync starts a full sync of type t and returns its generation and whether a
// previous full sync of t completed (only then are created/deleted changes meaningful).
func (s *inventoryState) beginSync(t string) (uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	ts.gen++
	return ts.gen, ts.synced
}

// endSync finishes the full sync gen of type t: objects it did not see are removed and
// their ids returned, except those whose parent is in skipParents (their listing failed).
// With complete false (the listing of t failed) nothing is removed.
func (s *inventoryState) endSync(t string, gen uint32, complete bool, skipParents map[string]bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	if !complete {
		return nil
	}
	var gone []string
	ts.eachSlot(func(n uint32, sl *objSlot) {
		if sl.gen == gen {
			return
		}
		if len(skipParents) > 0 && skipParents[s.vals.str(sl.parent)] {
			return
		}
		id := ts.idString(sl)
		gone = append(gone, id)
		s.drop(ts, id, n)
	})
	ts.synced = true
	s.compact(ts)
	ts.compactIDs()
	sort.Strings(gone)
	return gone
}

// ids returns the ids of type t whose dimension is not excludeDim, sorted.
func (s *inventoryState) ids(t string, excludeDim string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	ex, hasEx := s.vals.ids[excludeDim]
	out := make([]string, 0, ts.count)
	ts.eachSlot(func(_ uint32, sl *objSlot) {
		if excludeDim != "" && hasEx && sl.dim == ex {
			return
		}
		out = append(out, ts.idString(sl))
	})
	sort.Strings(out)
	return out
}

// childrenOf returns the ids of type t whose parent is parent.
func (s *inventoryState) childrenOf(t, parent string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	pid, ok := s.vals.ids[parent]
	if !ok {
		return nil
	}
	var out []string
	ts := s.typ(t)
	ts.eachSlot(func(_ uint32, sl *objSlot) {
		if sl.parent == pid {
			out = append(out, ts.idString(sl))
		}
	})
	sort.Strings(out)
	return out
}

// countBy returns, for type t, the number of objects per dimension.
func (s *inventoryState) countBy(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[uint32]int64{}
	ts := s.typ(t)
	ts.eachSlot(func(_ uint32, sl *objSlot) { counts[sl.dim]++ })
	out := make(map[string]int64, len(counts))
	for d, c := range counts {
		out[s.vals.str(d)] = c
	}
	return out
}

// countByParent returns, for type t, the number of objects per parent id.
func (s *inventoryState) countByParent(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[uint32]int64{}
	ts := s.typ(t)
	ts.eachSlot(func(_ uint32, sl *objSlot) { counts[sl.parent]++ })
	out := make(map[string]int64, len(counts))
	for p, c := range counts {
		out[s.vals.str(p)] = c
	}
	return out
}

// valuesOf returns id -> (name, value) for type t (names only where kept).
func (s *inventoryState) valuesOf(t string) map[string]namedValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	out := make(map[string]namedValue, ts.count)
	ts.eachSlot(func(n uint32, sl *objSlot) {
		id := ts.idString(sl)
		out[id] = namedValue{name: ts.names[id], value: ts.values[n], dim: s.vals.str(sl.dim)}
	})
	return out
}

type namedValue struct {
	name  string
	dim   string
	value int64
}

// name returns the kept name of t/id.
func (s *inventoryState) name(t, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.typ(t).names[id]
}

// count returns the number of objects of type t.
func (s *inventoryState) count(t string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.typ(t).count
}

// fingerprint hashes every top-level field, and every field one level inside an object
// field (profile.email, settings.app, ...), so that changes can be named by path. It
// returns the interned shape (sorted path ids) and the hashes in path order; the hashes
// alias a scratch buffer valid until the next call (caller holds mu).
func (s *inventoryState) fingerprint(obj map[string]any) (uint32, []uint32) {
	fp := s.fp[:0]
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k2, v2 := range m {
				s.keyBuf = append(append(append(s.keyBuf[:0], k...), '.'), k2...)
				fp = append(fp, fieldHash{path: s.paths.idBytes(s.keyBuf), hash: hashValue(v2)})
			}
			continue
		}
		fp = append(fp, fieldHash{path: s.paths.id(k), hash: hashValue(v)})
	}
	slices.SortFunc(fp, func(a, b fieldHash) int {
		switch {
		case a.path < b.path:
			return -1
		case a.path > b.path:
			return 1
		}
		return 0
	})
	s.fp = fp
	s.pathIDs, s.hashes = s.pathIDs[:0], s.hashes[:0]
	for _, f := range fp {
		s.pathIDs = append(s.pathIDs, f.path)
		s.hashes = append(s.hashes, f.hash)
	}
	return s.shapes.id(s.pathIDs), s.hashes
}

// diff returns the sorted paths whose hash differs or that exist in only one side.
func (s *inventoryState) diff(oldShape uint32, old []uint32, curShape uint32, cur []uint32) []string {
	op, cp := s.shapes.paths[oldShape], s.shapes.paths[curShape]
	var out []string
	i, j := 0, 0
	for i < len(op) || j < len(cp) {
		switch {
		case j >= len(cp) || (i < len(op) && op[i] < cp[j]):
			out = append(out, s.paths.str(op[i]))
			i++
		case i >= len(op) || cp[j] < op[i]:
			out = append(out, s.paths.str(cp[j]))
			j++
		default:
			if old[i] != cur[j] {
				out = append(out, s.paths.str(cp[j]))
			}
			i++
			j++
		}
	}
	sort.Strings(out)
	return out
}

// offHeapBytes returns the bytes of state held outside the Go heap (benchmarks).
func (s *inventoryState) offHeapBytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ts := range s.types {
		n += ts.mem.size()
	}
	return n
}
