package oktareceiver

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// The inventory state keeps, per resource type and object id, only what deletion and
// change detection and the metrics need: a fingerprint (one 32-bit hash per field path),
// the interned metric dimensions, the interned parent id and the generation of the last
// full sync that saw it. Bodies are never kept: a 100k-user org costs a few tens of MiB.

// fieldHash is the hash of the value at one field path (path interned in paths).
type fieldHash struct {
	path uint32
	hash uint32
}

// objState is what the inventory remembers about one object.
type objState struct {
	fp     []fieldHash // sorted by path id
	dim    uint32      // interned metric dimensions (e.g. "ACTIVE" or "ACTIVE\x00SAML_2_0")
	parent uint32      // interned parent id (0 = none)
	gen    uint32      // generation of the last full sync that saw the object
	value  int64       // numeric side value (a group's usersCount)
}

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

func (in *interner) str(id uint32) string { return in.strs[id] }

// typeState holds the objects of one resource type.
type typeState struct {
	objects map[string]*objState
	gen     uint32 // current full-sync generation of this type
	synced  bool   // a full sync of this type completed at least once
	names   map[string]string
}

// inventoryState is the inventory's memory, safe for concurrent use.
type inventoryState struct {
	mu    sync.Mutex
	types map[string]*typeState
	paths *interner // field paths
	vals  *interner // dims and parent ids
}

func newInventoryState() *inventoryState {
	return &inventoryState{types: map[string]*typeState{}, paths: newInterner(), vals: newInterner()}
}

func (s *inventoryState) typ(t string) *typeState {
	ts, ok := s.types[t]
	if !ok {
		ts = &typeState{objects: map[string]*objState{}}
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
	fp := s.fingerprint(obj)
	old, ok := ts.objects[id]
	st := &objState{fp: fp, dim: s.vals.id(meta.dim), parent: s.vals.id(meta.parent), value: meta.value}
	if ok {
		st.gen = old.gen
	}
	if gen > 0 {
		st.gen = gen
	}
	if ok {
		// Reuse the existing slice when unchanged to keep memory flat.
		res := upsertResult{changed: s.diff(old.fp, fp)}
		if len(res.changed) == 0 {
			st.fp = old.fp
		}
		*old = *st
		if keepName {
			s.setName(ts, id, meta.name)
		}
		return res
	}
	if id != "" {
		ts.objects[string([]byte(id))] = st
	}
	if keepName {
		s.setName(ts, id, meta.name)
	}
	return upsertResult{created: true}
}

func (s *inventoryState) setName(ts *typeState, id, name string) {
	if ts.names == nil {
		ts.names = map[string]string{}
	}
	ts.names[string([]byte(id))] = string([]byte(name))
}

// remove forgets t/id and reports whether it was known.
func (s *inventoryState) remove(t, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	_, ok := ts.objects[id]
	delete(ts.objects, id)
	delete(ts.names, id)
	return ok
}

// known reports whether t/id is in the state.
func (s *inventoryState) known(t, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.typ(t).objects[id]
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
	for id, o := range ts.objects {
		if o.gen == gen {
			continue
		}
		if len(skipParents) > 0 && skipParents[s.vals.str(o.parent)] {
			continue
		}
		gone = append(gone, id)
		delete(ts.objects, id)
		delete(ts.names, id)
	}
	ts.synced = true
	sort.Strings(gone)
	return gone
}

// ids returns the ids of type t whose dimension is not excludeDim, sorted.
func (s *inventoryState) ids(t string, excludeDim string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	ex, hasEx := s.vals.ids[excludeDim]
	out := make([]string, 0, len(ts.objects))
	for id, o := range ts.objects {
		if excludeDim != "" && hasEx && o.dim == ex {
			continue
		}
		out = append(out, id)
	}
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
	for id, o := range s.typ(t).objects {
		if o.parent == pid {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// countBy returns, for type t, the number of objects per dimension.
func (s *inventoryState) countBy(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, o := range s.typ(t).objects {
		out[s.vals.str(o.dim)]++
	}
	return out
}

// countByParent returns, for type t, the number of objects per parent id.
func (s *inventoryState) countByParent(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, o := range s.typ(t).objects {
		out[s.vals.str(o.parent)]++
	}
	return out
}

// valuesOf returns id -> (name, value) for type t (names only where kept).
func (s *inventoryState) valuesOf(t string) map[string]namedValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	out := make(map[string]namedValue, len(ts.objects))
	for id, o := range ts.objects {
		out[id] = namedValue{name: ts.names[id], value: o.value, dim: s.vals.str(o.dim)}
	}
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
	return len(s.typ(t).objects)
}

// fingerprint hashes every top-level field, and every field one level inside an object
// field (profile.email, settings.app, ...), so that changes can be named by path.
func (s *inventoryState) fingerprint(obj map[string]any) []fieldHash {
	fp := make([]fieldHash, 0, len(obj)+8)
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k2, v2 := range m {
				fp = append(fp, fieldHash{path: s.paths.id(k + "." + k2), hash: hashValue(v2)})
			}
			continue
		}
		fp = append(fp, fieldHash{path: s.paths.id(k), hash: hashValue(v)})
	}
	slices.SortFunc(fp, func(a, b fieldHash) int { return int(a.path) - int(b.path) })
	return slices.Clip(fp)
}

// diff returns the sorted paths whose hash differs or that exist in only one side.
func (s *inventoryState) diff(old, cur []fieldHash) []string {
	var out []string
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		switch {
		case j >= len(cur) || (i < len(old) && old[i].path < cur[j].path):
			out = append(out, s.paths.str(old[i].path))
			i++
		case i >= len(old) || cur[j].path < old[i].path:
			out = append(out, s.paths.str(cur[j].path))
			j++
		default:
			if old[i].hash != cur[j].hash {
				out = append(out, s.paths.str(cur[j].path))
			}
			i++
			j++
		}
	}
	sort.Strings(out)
	return out
}

// hashValue hashes a decoded JSON value canonically (map keys sorted).
func hashValue(v any) uint32 {
	h := fnv.New64a()
	writeCanonical(h, v, 0)
	x := h.Sum64()
	return uint32(x) ^ uint32(x>>32)
}

type byteWriter interface{ Write([]byte) (int, error) }

func writeCanonical(w byteWriter, v any, depth int) {
	if depth > 64 {
		_, _ = w.Write([]byte("…"))
		return
	}
	switch x := v.(type) {
	case nil:
		_, _ = w.Write([]byte("n"))
	case bool:
		_, _ = w.Write([]byte(strconv.FormatBool(x)))
	case string:
		_, _ = w.Write([]byte(strconv.Quote(x)))
	case json.Number:
		_, _ = w.Write([]byte("#" + x.String()))
	case float64:
		_, _ = w.Write([]byte("#" + strconv.FormatFloat(x, 'g', -1, 64)))
	case []any:
		_, _ = w.Write([]byte("["))
		for _, e := range x {
			writeCanonical(w, e, depth+1)
			_, _ = w.Write([]byte(","))
		}
		_, _ = w.Write([]byte("]"))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		_, _ = w.Write([]byte("{"))
		for _, k := range keys {
			_, _ = w.Write([]byte(strconv.Quote(k) + ":"))
			writeCanonical(w, x[k], depth+1)
			_, _ = w.Write([]byte(","))
		}
		_, _ = w.Write([]byte("}"))
	default:
		_, _ = w.Write([]byte("?"))
	}
}
