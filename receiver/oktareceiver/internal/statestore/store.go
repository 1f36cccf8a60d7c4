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

// BucketKey is the storage key of bucket index of resource type typ among n buckets. The
// count is part of the key, so that a type whose bucket count grows writes its new buckets
// beside the old ones, and the manifest switches from one set to the other at once.
func BucketKey(typ string, n, index int) string {
	return keyPrefix + typ + "/" + strconv.Itoa(n) + "/" + strconv.Itoa(index)
}

// maxBatchBytes bounds the bucket values of one storage batch (see Commit).
const maxBatchBytes = 4 << 20

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
	members map[string][]string // per type, per bucket: the ids it holds in storage (packIDs)
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
	types := map[string]LoadedType{}
	s, res, err := OpenWith(ctx, client, id, func(typ string, meta TypeMeta, recs []Record) {
		lt := types[typ]
		lt.Meta = meta
		lt.Records = append(lt.Records, recs...)
		types[typ] = lt
	})
	if err == nil && res.SetAside == "" && len(types) > 0 {
		res.Types = types
	}
	return s, res, err
}

// OpenWith is Open that hands the records of each bucket to load as it is read, so that
// memory holds one bucket besides what load keeps; Result.Types stays nil. When the state
// is then set aside (Result.SetAside), what load received must be dropped.
func OpenWith(ctx context.Context, client storage.Client, id Identity, load func(typ string, meta TypeMeta, recs []Record)) (*Store, Result, error) {
	s := &Store{client: client, m: newManifest(id), members: map[string][]string{}}
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
	if reason == "" {
		err = s.readBuckets(ctx, old, load)
		if err != nil && !errors.Is(err, errDamaged) {
			return nil, Result{}, err
		}
		if err != nil {
			reason = err.Error()
		}
	}
	if reason != "" {
		s.members = map[string][]string{}
		if err := s.deleteAll(ctx, old); err != nil {
			return nil, Result{}, fmt.Errorf("set aside the persisted inventory state: %w", err)
		}
		return s, Result{SetAside: reason}, nil
	}
	old.Types = cloneTypes(old.Types)
	s.m = old
	return s, Result{}, nil
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

// readBuckets reads every bucket m lists, hands its records to load and notes its ids. A
// missing or damaged bucket wraps errDamaged.
func (s *Store) readBuckets(ctx context.Context, m manifest, load func(string, TypeMeta, []Record)) error {
	for typ, tm := range m.Types {
		members := make([]string, tm.Buckets)
		for i := range tm.Buckets {
			key := BucketKey(typ, tm.Buckets, i)
			v, err := s.client.Get(ctx, key)
			if err != nil {
				return fmt.Errorf("read %s: %w", key, err)
			}
			if len(v) == 0 {
				return fmt.Errorf("%w: %s is missing", errDamaged, key)
			}
			recs, err := decodeBucket(v, m.Epoch, typ, i)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			ids := make([]string, len(recs))
			for j, r := range recs {
				ids[j] = r.ID
			}
			members[i] = packIDs(ids)
			load(typ, tm, recs)
		}
		s.members[typ] = members
	}
	return nil
}

// deleteAll deletes the manifest and every bucket m lists, in one batch. The buckets of an
// unreadable manifest are unknown: they stay, and the next state's epoch tells them apart.
func (s *Store) deleteAll(ctx context.Context, m manifest) error {
	ops := []*storage.Operation{storage.DeleteOperation(ManifestKey)}
	for typ, tm := range m.Types {
		for i := range tm.Buckets {
			ops = append(ops, storage.DeleteOperation(BucketKey(typ, tm.Buckets, i)))
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
// is new to the state or whose bucket count grows), the manifest, and extra.
//
// When the bucket values stay under maxBatchBytes, everything is one storage batch. A larger
// write (the first one of a large org, a growth) is split, so that memory stays bounded by
// one batch: the buckets go first, in batches of about maxBatchBytes, and the manifest with
// extra last. A kill between them leaves the previous manifest in force, with either buckets
// of a layout it does not name (a new type, a new bucket count: not read) or buckets of its
// own layout that already hold their new content: each bucket is written whole, and only with
// changes the caller already delivered, so the next start reports again, with the same ids,
// the changes of the buckets that were not written, and never loses one.
//
// On error the store's view does not change and the caller keeps its dirty ids for the
// next Commit. The store keeps the ids of each bucket it wrote or read, so that writing a
// bucket reads only its own objects (Get), never the whole type: a commit costs what its
// dirty buckets hold, whatever the size of the org.
func (s *Store) Commit(ctx context.Context, sources []Source, extra ...*storage.Operation) (CommitStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.m
	next.Types = cloneTypes(s.m.Types)
	members := map[string]map[int][]string{}
	var st CommitStats
	var ops []*storage.Operation
	pending := 0
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		err := s.client.Batch(ctx, ops...)
		ops, pending = nil, 0
		return err
	}
	var final []*storage.Operation
	for _, src := range sources {
		cur, present := s.m.Types[src.Type]
		n, plan := s.plan(src, cur.Buckets, present)
		members[src.Type] = map[int][]string{}
		for i, ids := range plan {
			recs := make([]Record, 0, len(ids))
			kept := make([]string, 0, len(ids))
			for _, id := range ids {
				if r, ok := src.Get(id); ok {
					recs = append(recs, r)
					kept = append(kept, r.ID)
				}
			}
			v := encodeBucket(next.Epoch, src.Type, i, recs)
			ops = append(ops, storage.SetOperation(BucketKey(src.Type, n, i), v))
			members[src.Type][i] = kept
			st.Keys++
			st.Bytes += len(v)
			pending += len(v)
			if pending >= maxBatchBytes {
				if err := flush(); err != nil {
					return CommitStats{}, fmt.Errorf("write the inventory state: %w", err)
				}
			}
		}
		if present && n != cur.Buckets {
			for i := range cur.Buckets {
				final = append(final, storage.DeleteOperation(BucketKey(src.Type, cur.Buckets, i)))
			}
		}
		next.Types[src.Type] = TypeMeta{Buckets: n, Gen: src.Gen, Synced: src.Synced}
	}
	mv := encodeManifest(next)
	ops = append(append(ops, final...), storage.SetOperation(ManifestKey, mv))
	st.Keys++
	st.Bytes += len(mv)
	for _, op := range extra {
		ops = append(ops, op)
		st.Keys++
		st.Bytes += len(op.Value)
	}
	if err := flush(); err != nil {
		return CommitStats{}, fmt.Errorf("write the inventory state: %w", err)
	}
	for typ, written := range members {
		if next.Types[typ].Buckets != s.m.Types[typ].Buckets || s.members[typ] == nil {
			s.members[typ] = make([]string, next.Types[typ].Buckets)
		}
		for i, ids := range written {
			s.members[typ][i] = packIDs(ids)
		}
	}
	s.m = next
	return st, nil
}

// plan returns the bucket count of src and, per bucket to write, the ids it may hold: every
// bucket when the type is new or its count changes, else those holding a dirty id, each with
// the ids it held plus the dirty ones. The count doubles while a bucket would hold more than
// MaxPerBucket.
func (s *Store) plan(src Source, current int, present bool) (int, map[int][]string) {
	n := bucketCount(src.Count, current)
	if present && n == current {
		plan := map[int][]string{}
		sets := map[int]map[string]bool{}
		for _, id := range src.Dirty {
			b := BucketOf(id, n)
			if sets[b] == nil {
				sets[b] = map[string]bool{}
				if m := s.members[src.Type]; b < len(m) {
					eachPacked(m[b], func(old string) { sets[b][old] = true })
				}
			}
			sets[b][id] = true
		}
		fits := true
		for b, set := range sets {
			ids := make([]string, 0, len(set))
			for id := range set {
				ids = append(ids, id)
			}
			plan[b] = ids
			fits = fits && len(ids) <= MaxPerBucket
		}
		if fits {
			return n, plan
		}
		n *= 2
	}
	var all []string
	src.Each(func(id string) { all = append(all, id) })
	for {
		plan := make(map[int][]string, n)
		for i := range n {
			plan[i] = nil
		}
		biggest := 0
		for _, id := range all {
			b := BucketOf(id, n)
			plan[b] = append(plan[b], id)
			biggest = max(biggest, len(plan[b]))
		}
		if biggest <= MaxPerBucket || n >= maxBuckets {
			return n, plan
		}
		n *= 2
	}
}

// Meta returns what the persisted manifest says about resource type typ.
func (s *Store) Meta(typ string) (TypeMeta, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tm, ok := s.m.Types[typ]
	return tm, ok
}
