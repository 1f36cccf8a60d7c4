package inventory

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// The inventory state keeps, per resource type and object id, only what deletion, change
// detection and the metrics need (objectRecord); bodies are never kept. It lives on the Go
// heap in plain maps and slices, so memory_limiter and GOMEMLIMIT account for it.
//
// A large org has hundreds of thousands of objects and, with the Go collector's default
// GOGC=100, each byte of state costs about two bytes of RSS, so the record is compact: what
// many objects share is stored once (the sorted list of field paths of an object, its
// fieldShape, and the metric dimensions and parent ids are interned per state), and the
// hashes of one object are packed in one string. An object costs its map entry, its key (state_key.go), a
// 32-byte objectRecord and its fingerprint (12 bytes + 2 per field path) followed by its
// audited values, if its type has audited fields.

// objectRecord is what the state remembers about one object: its type and id are where it
// is kept (typeState, map key). The shape, parent and dimension ids are local to the process
// but each stands for a stable value (the shape's path names, strings), and the hashes are
// stable xxhash values, so a record can be written to a storage extension (ids replaced by
// what they stand for) and compared with a later sync. What only some objects carry (kept
// names, side values) lives in side maps of the typeState, so that it costs nothing for the
// others. The values of the audited fields (encodeAudit) follow the fingerprint in the same
// string: one allocation and no map entry or second copy of the id per audited object.
type objectRecord struct {
	fp     fingerprint // the fingerprint, then the encoded audited values (fingerprintOf, auditOf)
	parent uint32      // interned parent id ("" when none)
	dim    uint32      // interned metric dimensions, e.g. "ACTIVE" or "ACTIVE\x00SAML_2_0"
	gen    uint32      // generation of the last full sync that saw the object
}

// fingerprint packs, little-endian: the content hash of the object (8 bytes, from every
// path and the 64-bit hash of its value), the id of its interned fieldShape (4 bytes), then
// a 16-bit hash of the value at each of the shape's paths (2 bytes each, in path order).
//
// Whether an object changed is decided by the whole fingerprint, so by the 64-bit content
// hash: a change is never missed. The 16-bit field hashes only name the changed paths (they
// halve the largest part of the state); in the rare case (1 in 65536 per changed path) where
// a change leaves every field hash equal, every path of the object is named (diff).
type fingerprint string

const fingerprintHeader = 12

// content is the hash of the whole object.
func (f fingerprint) content() uint64 { return uint64(f.uint32At(0)) | uint64(f.uint32At(4))<<32 }

// shape is the id of the object's fieldShape.
func (f fingerprint) shape() uint32 { return f.uint32At(8) }

// field is the 16-bit hash of the value at the i-th path of the shape.
func (f fingerprint) field(i int) uint16 {
	j := fingerprintHeader + 2*i
	return uint16(f[j]) | uint16(f[j+1])<<8
}

func (f fingerprint) uint32At(i int) uint32 {
	return uint32(f[i]) | uint32(f[i+1])<<8 | uint32(f[i+2])<<16 | uint32(f[i+3])<<24
}

// namedExtra is what only some objects carry: the name of types whose names label metrics
// (keepsName), and a numeric side value such as a group's usersCount.
type namedExtra struct {
	name  string
	value int64
}

// fieldShape is an interned sorted list of field paths.
type fieldShape struct {
	paths []string
}

// typeState holds the objects of one resource type.
type typeState struct {
	objects map[string]*objectRecord // by key (state_key.go)
	named   map[string]namedExtra    // by key: only objects with a kept name or a non-zero value
	gen     uint32                   // current full-sync generation of this type
	synced  bool                     // a full sync of this type completed at least once

	// dirty (state_persist.go): the keys of the objects changed since the state was last
	// written to storage.
	dirty map[string]struct{}
}

// inventoryState is the inventory's memory, safe for concurrent use.
type inventoryState struct {
	mu       sync.Mutex
	types    map[string]*typeState
	paths    map[string]string // interned field paths
	shapes   []*fieldShape     // by shape id
	shapeIDs map[string]uint32 // key: the paths joined by shapeSep
	vals     *interner         // metric dimensions and parent ids
	// persisted: the state is written to storage, so changed ids are tracked (dirty).
	persisted bool

	// scratch of fingerprint (used under mu)
	hasher     valueHasher
	fp         []fieldHash
	keyBuf     []byte
	fpBuf      []byte
	keyScratch []byte // keyOf, lookupKey
}

// shapeSep separates paths in a shape key (it cannot occur in a JSON member name that
// Okta sends, and a wrong split would only cost a spurious change).
const shapeSep = "\x00"

// fieldHash is the hash of the value at one field path.
type fieldHash struct {
	path string
	hash uint64
}

func newInventoryState() *inventoryState {
	return &inventoryState{
		types: map[string]*typeState{}, paths: map[string]string{},
		shapeIDs: map[string]uint32{}, vals: newInterner(),
	}
}

func (s *inventoryState) typ(t string) *typeState {
	ts, ok := s.types[t]
	if !ok {
		ts = &typeState{objects: map[string]*objectRecord{}, named: map[string]namedExtra{}}
		if s.persisted {
			ts.dirty = map[string]struct{}{}
		}
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
	changed []string // changed field paths, sorted (nil when created or unchanged)
	// before and after are the audited field values before and after a creation or change.
	before, after auditSet
}

// upsert records obj of type t under id. gen > 0 marks it seen by that full sync.
func (s *inventoryState) upsert(t, id string, obj map[string]any, meta objectMeta, gen uint32, keepName bool) upsertResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	fp := s.fingerprint(obj)
	var res upsertResult
	key := string(s.keyOf(id))
	rec, ok := ts.objects[key]
	if ok {
		if old := s.fingerprintOf(rec); string(old) != string(fp) {
			res.changed = s.diff(old, fingerprint(fp))
			res.before = auditSet{enc: s.auditOf(rec), paths: s.shapes[old.shape()].paths}
		}
	} else {
		rec = &objectRecord{}
		ts.objects[key] = rec
		res.created = true
	}
	if res.created || res.changed != nil {
		paths := s.shapes[binary.LittleEndian.Uint32(fp[8:fingerprintHeader])].paths
		res.after = auditSet{enc: extractAudit(t, obj, paths), paths: paths}
		rec.fp = fingerprint(string(fp) + res.after.enc)
		ts.markDirty(key)
	}
	parent, dim := s.vals.id(meta.parent), s.vals.id(meta.dim)
	if parent != rec.parent || dim != rec.dim {
		ts.markDirty(key)
	}
	rec.parent, rec.dim = parent, dim
	if gen > 0 {
		rec.gen = gen
	}
	name := ""
	if keepName {
		name = meta.name
	}
	if name == "" && meta.value == 0 {
		if _, ok := ts.named[key]; ok {
			delete(ts.named, key)
			ts.markDirty(key)
		}
	} else if old, ok := ts.named[key]; !ok || old.name != name || old.value != meta.value {
		ts.named[key] = namedExtra{name: strings.Clone(name), value: meta.value}
		ts.markDirty(key)
	}
	return res
}

// interner maps strings to small ids and back; id 0 is "". Parent ids and dimensions are
// few compared with objects (many children share a parent), so an id per record is cheaper
// than a string per record. Entries are never removed: they are bounded by the parents an
// org ever had.
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
	s = strings.Clone(s) // s may belong to a decoded page
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

// lookup returns the id of s without adding it.
func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

// text returns the string of id.
func (in *interner) text(id uint32) string { return in.strs[id] }

// remove forgets t/id and reports whether it was known.
func (s *inventoryState) remove(t, id string) bool {
	_, ok := s.removeWithAudit(t, id)
	return ok
}

// removeWithAudit forgets t/id and returns its audited values and whether it was known.
func (s *inventoryState) removeWithAudit(t, id string) (auditSet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	key, ok := s.lookupKey(id)
	if !ok {
		return auditSet{}, false
	}
	rec, ok := ts.objects[string(key)]
	if !ok {
		return auditSet{}, false
	}
	before := auditSet{enc: s.auditOf(rec), paths: s.shapes[rec.fp.shape()].paths}
	ts.forget(string(key))
	return before, true
}

// known reports whether t/id is in the state.
func (s *inventoryState) known(t, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.lookupKey(id)
	if !ok {
		return false
	}
	_, ok = s.typ(t).objects[string(key)]
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
// their ids returned (sorted), except those whose parent is in skipParents (their listing
// failed). With complete false (the listing of t failed) nothing is removed.
func (s *inventoryState) endSync(t string, gen uint32, complete bool, skipParents map[string]bool) []string {
	gone, _ := s.endSyncWithAudit(t, gen, complete, skipParents)
	return gone
}

// endSyncWithAudit is endSync that also returns the audited values of the removed objects
// by id.
func (s *inventoryState) endSyncWithAudit(t string, gen uint32, complete bool, skipParents map[string]bool) ([]string, map[string]auditSet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	if !complete {
		return nil, nil
	}
	var gone []string
	audits := map[string]auditSet{}
	for key, rec := range ts.objects {
		if rec.gen == gen {
			continue
		}
		if len(skipParents) > 0 && skipParents[s.vals.text(rec.parent)] {
			continue
		}
		id := s.idOf(key)
		gone = append(gone, id)
		if a := s.auditOf(rec); a != "" {
			audits[id] = auditSet{enc: a, paths: s.shapes[rec.fp.shape()].paths}
		}
		ts.forget(key)
	}
	ts.synced = true
	if len(gone) > len(ts.objects) {
		// A map keeps the size it once had: rebuild it after a mass deletion.
		objects := make(map[string]*objectRecord, len(ts.objects))
		for key, rec := range ts.objects {
			objects[key] = rec
		}
		ts.objects = objects
	}
	sort.Strings(gone)
	return gone, audits
}

// ids returns the ids of type t whose dimension is not excludeDim, sorted.
func (s *inventoryState) ids(t string, excludeDim string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	ex, hasEx := s.vals.lookup(excludeDim)
	out := make([]string, 0, len(ts.objects))
	for key, rec := range ts.objects {
		if excludeDim != "" && hasEx && rec.dim == ex {
			continue
		}
		out = append(out, s.idOf(key))
	}
	sort.Strings(out)
	return out
}

// childrenOf returns the ids of type t whose parent is parent, sorted.
func (s *inventoryState) childrenOf(t, parent string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.vals.lookup(parent)
	if !ok {
		return nil
	}
	var out []string
	for key, rec := range s.typ(t).objects {
		if rec.parent == p {
			out = append(out, s.idOf(key))
		}
	}
	sort.Strings(out)
	return out
}

// countBy returns, for type t, the number of objects per dimension.
func (s *inventoryState) countBy(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[uint32]int64{}
	for _, rec := range s.typ(t).objects {
		counts[rec.dim]++
	}
	return s.countsByValue(counts)
}

// countByParent returns, for type t, the number of objects per parent id.
func (s *inventoryState) countByParent(t string) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[uint32]int64{}
	for _, rec := range s.typ(t).objects {
		counts[rec.parent]++
	}
	return s.countsByValue(counts)
}

// countsByValue turns counts by interned id into counts by string.
func (s *inventoryState) countsByValue(counts map[uint32]int64) map[string]int64 {
	out := make(map[string]int64, len(counts))
	for id, c := range counts {
		out[s.vals.text(id)] = c
	}
	return out
}

// valuesOf returns id -> (name, value, dimension) for type t (names only where kept).
func (s *inventoryState) valuesOf(t string) map[string]NamedValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.typ(t)
	out := make(map[string]NamedValue, len(ts.objects))
	for key, rec := range ts.objects {
		extra := ts.named[key]
		out[s.idOf(key)] = NamedValue{Name: extra.name, Value: extra.value, Dim: s.vals.text(rec.dim)}
	}
	return out
}

// NamedValue is what the state keeps of one object for the metrics: its name (only for
// types whose names label metrics), its metric dimensions joined by NUL (e.g. a policy's
// "<type>\x00<status>") and its side value (a group's member count).
type NamedValue struct {
	Name  string
	Dim   string
	Value int64
}

// name returns the kept name of t/id.
func (s *inventoryState) name(t, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.lookupKey(id)
	if !ok {
		return ""
	}
	return s.typ(t).named[string(key)].name
}

// count returns the number of objects of type t.
func (s *inventoryState) count(t string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.typ(t).objects)
}

// fingerprint hashes every top-level field, and every field one level inside an object
// field (profile.email, settings.app, ...), so that changes can be named by path. The
// result aliases a scratch buffer valid until the next call (caller holds mu).
func (s *inventoryState) fingerprint(obj map[string]any) []byte {
	fp := s.fp[:0]
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k2, v2 := range m {
				s.keyBuf = append(append(append(s.keyBuf[:0], k...), '.'), k2...)
				fp = append(fp, fieldHash{path: s.internPath(s.keyBuf), hash: s.hasher.hash64(v2)})
			}
			continue
		}
		fp = append(fp, fieldHash{path: s.internPathString(k), hash: s.hasher.hash64(v)})
	}
	slices.SortFunc(fp, func(a, b fieldHash) int { return strings.Compare(a.path, b.path) })
	s.fp = fp
	s.keyBuf = s.keyBuf[:0]
	var content uint64
	for i, f := range fp {
		if i > 0 {
			s.keyBuf = append(s.keyBuf, shapeSep...)
		}
		s.keyBuf = append(s.keyBuf, f.path...)
		content += mix64(xxhash.Sum64String(f.path) ^ f.hash)
	}
	out := binary.LittleEndian.AppendUint64(s.fpBuf[:0], content)
	out = binary.LittleEndian.AppendUint32(out, s.shapeID(fp))
	for _, f := range fp {
		out = binary.LittleEndian.AppendUint16(out, fold16(f.hash))
	}
	s.fpBuf = out
	return out
}

// shapeID interns the shape of fp, whose paths joined by shapeSep are in keyBuf.
func (s *inventoryState) shapeID(fp []fieldHash) uint32 {
	if id, ok := s.shapeIDs[string(s.keyBuf)]; ok {
		return id
	}
	paths := make([]string, len(fp))
	for i, f := range fp {
		paths[i] = f.path
	}
	id := uint32(len(s.shapes))
	s.shapes = append(s.shapes, &fieldShape{paths: paths})
	s.shapeIDs[string(s.keyBuf)] = id
	return id
}

// internPath returns the interned copy of the path in b.
func (s *inventoryState) internPath(b []byte) string {
	if p, ok := s.paths[string(b)]; ok {
		return p
	}
	return s.internPathString(string(b))
}

// internPathString returns the interned copy of path (a copy: path may belong to a page).
func (s *inventoryState) internPathString(path string) string {
	if p, ok := s.paths[path]; ok {
		return p
	}
	p := strings.Clone(path)
	s.paths[p] = p
	return p
}

// fingerprintOf returns the fingerprint of rec without the audited values that follow it
// (caller holds mu).
func (s *inventoryState) fingerprintOf(rec *objectRecord) fingerprint {
	return rec.fp[:s.fingerprintLen(rec.fp)]
}

// auditOf returns the encoded audited values of rec ("" when none) (caller holds mu).
func (s *inventoryState) auditOf(rec *objectRecord) string {
	return string(rec.fp[s.fingerprintLen(rec.fp):])
}

// fingerprintLen is the length of the fingerprint at the start of f: the header and two
// bytes per path of its shape.
func (s *inventoryState) fingerprintLen(f fingerprint) int {
	return fingerprintHeader + 2*len(s.shapes[f.shape()].paths)
}

// fold16 folds a 64-bit hash to the 16 bits kept per field path.
func fold16(h uint64) uint16 { return uint16(h ^ h>>16 ^ h>>32 ^ h>>48) }

// diff returns the sorted paths whose hash differs or that exist in only one of two
// different fingerprints (every path of cur when the field hashes cannot tell: see
// fingerprint).
func (s *inventoryState) diff(old, cur fingerprint) []string {
	op, cp := s.shapes[old.shape()].paths, s.shapes[cur.shape()].paths
	var out []string
	i, j := 0, 0
	for i < len(op) || j < len(cp) {
		switch {
		case j >= len(cp) || (i < len(op) && op[i] < cp[j]):
			out = append(out, op[i])
			i++
		case i >= len(op) || cp[j] < op[i]:
			out = append(out, cp[j])
			j++
		default:
			if old.field(i) != cur.field(j) {
				out = append(out, cp[j])
			}
			i++
			j++
		}
	}
	if len(out) == 0 {
		out = slices.Clone(cp)
	}
	return out
}
