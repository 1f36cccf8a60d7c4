package statestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Key layout (see the package documentation).
const (
	keyPrefix   = "okta.inventory.v1/"
	ManifestKey = keyPrefix + "manifest"
)

// BucketKey is the storage key of bucket index of resource type typ.
func BucketKey(typ string, index int) string {
	return keyPrefix + typ + "/" + strconv.Itoa(index)
}

// Identity is what a persisted state must match to be used: the org it was read from and a
// digest of the resource selection (the enabled resource types).
type Identity struct {
	OrgID     string
	Selection string
}

// Store reads and writes one persisted state. Commit calls must not overlap with each other
// (the store serialises them all the same).
type Store struct {
	mu      sync.Mutex
	client  storage.Client
	m       manifest
	members map[string][][]string // per type, per bucket: the ids it holds in storage
}

// LoadedType is the persisted state of one resource type.
type LoadedType struct {
	Meta    TypeMeta
	Records []Record
}

// Result is what Open found.
type Result struct {
	// Types is the persisted state per resource type (nil: nothing usable was persisted).
	Types map[string]LoadedType
	// SetAside says why a persisted state was set aside ("" when none was): another org,
	// another resource selection, another format, or a damaged value. Its keys are deleted.
	SetAside string
}

// Open reads the persisted state of id from client: the manifest, then every bucket it
// lists. A state that cannot be used is set aside (its keys deleted in one batch) and the
// store starts empty. The error is a failure of the storage itself (the state is then
// neither read nor written by the caller).
func Open(ctx context.Context, client storage.Client, id Identity) (*Store, Result, error) {
	s := &Store{client: client, m: newManifest(id), members: map[string][][]string{}}
	raw, err := client.Get(ctx, ManifestKey)
	if err != nil {
		return nil, Result{}, fmt.Errorf("read %s: %w", ManifestKey, err)
	}
	if len(raw) == 0 {
		return s, Result{}, nil
	}
	old, err := decodeManifest(raw)
	var reason string
	switch {
	case err != nil:
		reason = "unreadable manifest: " + err.Error()
	case old.OrgID != id.OrgID:
		reason = fmt.Sprintf("it was written for org %q, this is org %q", old.OrgID, id.OrgID)
	case old.Selection != id.Selection:
		reason = "it was written for another selection of resource types"
	}
	var types map[string]LoadedType
	if reason == "" {
		types, err = s.readBuckets(ctx, old)
		if err != nil && !errors.Is(err, errDamaged) {
			return nil, Result{}, err
		}
		if err != nil {
			reason = err.Error()
		}
	}
	if reason != "" {
		if err := s.deleteAll(ctx, old); err != nil {
			return nil, Result{}, fmt.Errorf("set aside the persisted inventory state: %w", err)
		}
		return s, Result{SetAside: reason}, nil
	}
	old.Types = cloneTypes(old.Types)
	s.m = old
	for typ, lt := range types {
		m := make([][]string, lt.Meta.Buckets)
		for _, r := range lt.Records {
			b := BucketOf(r.ID, lt.Meta.Buckets)
			m[b] = append(m[b], r.ID)
		}
		s.members[typ] = m
	}
	return s, Result{Types: types}, nil
}

func newManifest(id Identity) manifest {
	e := make([]byte, 8)
	_, _ = rand.Read(e)
	return manifest{Version: formatVersion, OrgID: id.OrgID, Selection: id.Selection,
		Epoch: hex.EncodeToString(e), Types: map[string]TypeMeta{}}
}

func cloneTypes(in map[string]TypeMeta) map[string]TypeMeta {
	out := make(map[string]TypeMeta, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// readBuckets reads every bucket m lists. A missing or damaged bucket wraps errDamaged.
func (s *Store) readBuckets(ctx context.Context, m manifest) (map[string]LoadedType, error) {
	out := make(map[string]LoadedType, len(m.Types))
	for typ, tm := range m.Types {
		lt := LoadedType{Meta: tm}
		for i := range tm.Buckets {
			key := BucketKey(typ, i)
			v, err := s.client.Get(ctx, key)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", key, err)
			}
			if len(v) == 0 {
				return nil, fmt.Errorf("%w: %s is missing", errDamaged, key)
			}
			recs, err := decodeBucket(v, m.Epoch, typ, i)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			lt.Records = append(lt.Records, recs...)
		}
		out[typ] = lt
	}
	return out, nil
}

// deleteAll deletes the manifest and every bucket m lists, in one batch. The buckets of an
// unreadable manifest are unknown: they stay, and the next state's epoch tells them apart.
func (s *Store) deleteAll(ctx context.Context, m manifest) error {
	ops := []*storage.Operation{storage.DeleteOperation(ManifestKey)}
	for typ, tm := range m.Types {
		for i := range tm.Buckets {
			ops = append(ops, storage.DeleteOperation(BucketKey(typ, i)))
		}
	}
	return s.client.Batch(ctx, ops...)
}

// Source is the in-memory state of one resource type, as Commit reads it.
type Source struct {
	Type   string
	Gen    uint32
	Synced bool
	// Count is the number of objects of the type.
	Count int
	// Dirty are the ids added, changed or removed since the last successful Commit.
	Dirty []string
	// Get returns the record of id (false: the object is gone).
	Get func(id string) (Record, bool)
	// Each calls fn with the id of every object; it is called only when every bucket of the
	// type is written (a type new to the store, or a bucket count that grows).
	Each func(fn func(id string))
}

// CommitStats is what one Commit wrote.
type CommitStats struct {
	Keys  int // values written (buckets, manifest, extra)
	Bytes int // bytes of those values
}

// Commit writes the buckets of sources that hold a dirty id (every bucket of a type that
// is new to the state or whose bucket count grows), the manifest, and extra, in one
// storage batch. On error nothing of the store's view changes and the caller keeps its
// dirty ids for the next Commit.
//
// The store keeps the ids of each bucket it wrote or read, so that writing a bucket reads
// only its own objects (Get), never the whole type: a commit costs what its dirty buckets
// hold, whatever the size of the org.
func (s *Store) Commit(ctx context.Context, sources []Source, extra ...*storage.Operation) (CommitStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.m
	next.Types = cloneTypes(s.m.Types)
	members := map[string]map[int][]string{}
	var ops []*storage.Operation
	var st CommitStats
	for _, src := range sources {
		cur, present := s.m.Types[src.Type]
		n := bucketCount(src.Count, cur.Buckets)
		var write map[int][]Record
		for {
			full := !present || n != cur.Buckets
			write = s.collect(src, n, full)
			if biggest(write) <= MaxPerBucket || n >= maxBuckets {
				break
			}
			n *= 2 // a bucket over the bound: every bucket of the type is rewritten
		}
		members[src.Type] = map[int][]string{}
		for i, recs := range write {
			v := encodeBucket(next.Epoch, src.Type, i, recs)
			ops = append(ops, storage.SetOperation(BucketKey(src.Type, i), v))
			st.Keys++
			st.Bytes += len(v)
			ids := make([]string, len(recs))
			for j, r := range recs {
				ids[j] = r.ID
			}
			members[src.Type][i] = ids
		}
		next.Types[src.Type] = TypeMeta{Buckets: n, Gen: src.Gen, Synced: src.Synced}
	}
	mv := encodeManifest(next)
	ops = append(ops, storage.SetOperation(ManifestKey, mv))
	st.Keys++
	st.Bytes += len(mv)
	for _, op := range extra {
		ops = append(ops, op)
		st.Keys++
		st.Bytes += len(op.Value)
	}
	if err := s.client.Batch(ctx, ops...); err != nil {
		return CommitStats{}, fmt.Errorf("write the inventory state: %w", err)
	}
	for typ, written := range members {
		if next.Types[typ].Buckets != s.m.Types[typ].Buckets || s.members[typ] == nil {
			s.members[typ] = make([][]string, next.Types[typ].Buckets)
		}
		for i, ids := range written {
			s.members[typ][i] = ids
		}
	}
	s.m = next
	return st, nil
}

// collect returns the records of the buckets of src to write among n: every bucket when full,
// else those holding a dirty id, each read from the ids the bucket held plus the dirty ones.
func (s *Store) collect(src Source, n int, full bool) map[int][]Record {
	write := map[int][]Record{}
	if full {
		for i := range n {
			write[i] = nil
		}
		src.Each(func(id string) {
			if r, ok := src.Get(id); ok {
				b := BucketOf(id, n)
				write[b] = append(write[b], r)
			}
		})
		return write
	}
	candidates := map[int]map[string]bool{}
	for _, id := range src.Dirty {
		b := BucketOf(id, n)
		if candidates[b] == nil {
			candidates[b] = map[string]bool{}
			var held []string
			if m := s.members[src.Type]; b < len(m) {
				held = m[b]
			}
			for _, old := range held {
				candidates[b][old] = true
			}
		}
		candidates[b][id] = true
	}
	for b, ids := range candidates {
		recs := make([]Record, 0, len(ids))
		for id := range ids {
			if r, ok := src.Get(id); ok {
				recs = append(recs, r)
			}
		}
		write[b] = recs
	}
	return write
}

// biggest returns the number of records of the largest bucket of write.
func biggest(write map[int][]Record) int {
	m := 0
	for _, recs := range write {
		m = max(m, len(recs))
	}
	return m
}

// Meta returns what the persisted manifest says about resource type typ.
func (s *Store) Meta(typ string) (TypeMeta, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm, ok := s.m.Types[typ]
	return tm, ok
}
