package inventory

import (
	"encoding/binary"
	"sort"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/statestore"
)

// This file connects the in-memory inventory state to its persisted form (package
// statestore): dirty tracking, export of records and import at start.

// markDirty notes that the object under key changed since the state was last written
// (caller holds mu); nothing when the state is not persisted. key must be a string the
// state owns (a key of objects, or one made for it, never a scratch buffer or a page's
// bytes): the dirty set shares it with objects rather than keeping a second copy of the
// key of every object a full sync touches.
func (ts *typeState) markDirty(key string) {
	if ts.dirty == nil {
		return
	}
	ts.dirty[key] = struct{}{}
}

// forget removes the object under key and everything kept about it, and marks it dirty
// (caller holds mu).
func (ts *typeState) forget(key string) {
	ts.markDirty(key)
	delete(ts.objects, key)
	delete(ts.named, key)
}

// dirtySet is what takeDirty took: the dirty ids per type.
type dirtySet map[string][]string

// takeDirty returns the sources to persist: every type with dirty ids, or whose generation
// or synced flag differs from what was persisted (persisted reports that), and clears their
// dirty ids (restoreDirty puts them back when the write fails).
func (s *inventoryState) takeDirty(persisted func(t string) (statestore.TypeMeta, bool)) ([]statestore.Source, dirtySet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	taken := dirtySet{}
	var out []statestore.Source
	types := make([]string, 0, len(s.types))
	for t := range s.types {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		ts := s.types[t]
		pm, ok := persisted(t)
		if len(ts.dirty) == 0 && ok && pm.Gen == ts.gen && pm.Synced == ts.synced {
			continue
		}
		if len(ts.dirty) == 0 && !ok && len(ts.objects) == 0 && !ts.synced {
			continue // a type that was never listed
		}
		ids := make([]string, 0, len(ts.dirty))
		for key := range ts.dirty {
			ids = append(ids, s.idOf(key))
		}
		ts.dirty = map[string]struct{}{}
		taken[t] = ids
		out = append(out, statestore.Source{Type: t, Gen: ts.gen, Synced: ts.synced, Count: len(ts.objects), Dirty: ids,
			Get: s.getRecord(t), Each: s.eachID(t)})
	}
	return out, taken
}

// restoreDirty marks the ids of taken dirty again after a failed write.
func (s *inventoryState) restoreDirty(taken dirtySet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, ids := range taken {
		ts := s.typ(t)
		for _, id := range ids {
			ts.dirty[string(s.keyOf(id))] = struct{}{}
		}
	}
}

// getRecord returns the Source.Get of type t.
func (s *inventoryState) getRecord(t string) func(id string) (statestore.Record, bool) {
	return func(id string) (statestore.Record, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		ts := s.typ(t)
		key, ok := s.lookupKey(id)
		if !ok {
			return statestore.Record{}, false
		}
		rec, ok := ts.objects[string(key)]
		if !ok {
			return statestore.Record{}, false
		}
		return s.exportRecord(ts, id, string(key), rec), true
	}
}

// eachID returns the Source.Each of type t. The ids are copied out under the lock, so
// that Get may be called for each.
func (s *inventoryState) eachID(t string) func(fn func(id string)) {
	return func(fn func(id string)) {
		s.mu.Lock()
		ts := s.typ(t)
		ids := make([]string, 0, len(ts.objects))
		for key := range ts.objects {
			ids = append(ids, s.idOf(key))
		}
		s.mu.Unlock()
		for _, id := range ids {
			fn(id)
		}
	}
}

// exportRecord converts the object id, kept under key in ts, to its persisted form (caller
// holds mu).
func (s *inventoryState) exportRecord(ts *typeState, id, key string, rec *objectRecord) statestore.Record {
	paths := s.shapes[rec.fp.shape()].paths
	hashes := make([]uint16, len(paths))
	for i := range paths {
		hashes[i] = rec.fp.field(i)
	}
	extra := ts.named[key]
	return statestore.Record{
		ID: id, Content: rec.fp.content(), Paths: paths, Hashes: hashes,
		Parent: s.vals.text(rec.parent), Dim: s.vals.text(rec.dim),
		Name: extra.name, Value: extra.value, Audit: s.auditOf(rec),
	}
}

// loader returns the function that statestore.OpenWith hands each persisted bucket to: the
// first bucket of a type replaces that type's state. Loaded objects carry generation 0, so
// the next full sync of their type reports those it does not see as deleted.
func (s *inventoryState) loader() func(t string, meta statestore.TypeMeta, recs []statestore.Record) {
	started := map[string]bool{}
	return func(t string, meta statestore.TypeMeta, recs []statestore.Record) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !started[t] {
			started[t] = true
			s.types[t] = &typeState{
				objects: map[string]*objectRecord{}, named: map[string]namedExtra{}, dirty: map[string]struct{}{},
				gen: meta.Gen, synced: meta.Synced,
			}
		}
		ts := s.types[t]
		for _, r := range recs {
			key := string(s.keyOf(r.ID))
			ts.objects[key] = &objectRecord{fp: s.importFingerprint(r), parent: s.vals.id(r.Parent), dim: s.vals.id(r.Dim)}
			if r.Name != "" || r.Value != 0 {
				ts.named[key] = namedExtra{name: r.Name, value: r.Value}
			}
		}
	}
}

// trackChanges makes the state note the ids that change from now on (it is persisted).
func (s *inventoryState) trackChanges() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.persisted = true
	for _, ts := range s.types {
		if ts.dirty == nil {
			ts.dirty = map[string]struct{}{}
		}
	}
}

// reset forgets every type (a persisted state that was being loaded was set aside).
func (s *inventoryState) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.types = map[string]*typeState{}
}

// importFingerprint rebuilds the fingerprint of a persisted record, followed by its audited
// values as objectRecord.fp keeps them (caller holds mu).
func (s *inventoryState) importFingerprint(r statestore.Record) fingerprint {
	fp := s.fp[:0]
	s.keyBuf = s.keyBuf[:0]
	for i, p := range r.Paths {
		if i > 0 {
			s.keyBuf = append(s.keyBuf, shapeSep...)
		}
		s.keyBuf = append(s.keyBuf, p...)
		fp = append(fp, fieldHash{path: s.internPathString(p)})
	}
	s.fp = fp
	out := binary.LittleEndian.AppendUint64(nil, r.Content)
	out = binary.LittleEndian.AppendUint32(out, s.shapeID(fp))
	for _, h := range r.Hashes {
		out = binary.LittleEndian.AppendUint16(out, h)
	}
	out = append(out, r.Audit...)
	return fingerprint(out)
}

// total returns the number of objects of every type.
func (s *inventoryState) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ts := range s.types {
		n += len(ts.objects)
	}
	return n
}
