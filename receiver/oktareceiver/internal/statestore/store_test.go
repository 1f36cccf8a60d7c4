package statestore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

var testID = Identity{OrgID: "00oORG", Selection: "sel1"}

func newClient() *storagetest.TestClient {
	return storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("okta"), "")
}

// memType is an in-memory type state for Source.
type memType struct {
	name   string
	gen    uint32
	synced bool
	recs   map[string]Record
	dirty  []string
}

func (m *memType) source() Source {
	src := Source{Type: m.name, Gen: m.gen, Synced: m.synced, Dirty: m.dirty, Count: len(m.recs)}
	src.Get = func(id string) (Record, bool) {
		r, ok := m.recs[id]
		return r, ok
	}
	src.Each = func(fn func(string)) {
		for id := range m.recs {
			fn(id)
		}
	}
	m.dirty = nil
	return src
}

func (m *memType) put(r Record) {
	m.recs[r.ID] = r
	m.dirty = append(m.dirty, r.ID)
}

func user(i int, title string) Record {
	return Record{
		ID: fmt.Sprintf("00u%05d", i), Content: uint64(i) * 7919, Paths: []string{"id", "profile.title", "status"},
		Hashes: []uint16{uint16(i), uint16(len(title)), 3}, Dim: "ACTIVE", Parent: "",
		Audit: "title=" + title,
	}
}

func newUsers(n int) *memType {
	m := &memType{name: "user", gen: 1, synced: true, recs: map[string]Record{}}
	for i := range n {
		m.put(user(i, "Engineer"))
	}
	return m
}

// keys returns the stored keys, sorted.
func keys(t *testing.T, c *storagetest.TestClient) []string {
	t.Helper()
	var out []string
	require.NoError(t, c.Walk(context.Background(), func(k string, _ []byte) ([]*storage.Operation, error) {
		out = append(out, k)
		return nil, nil
	}))
	sort.Strings(out)
	return out
}

func sortedRecords(recs []Record) []Record {
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	return recs
}

func TestCommitAndOpenRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	s, res, err := Open(ctx, c, testID)
	require.NoError(t, err)
	assert.Nil(t, res.Types, "nothing persisted yet")
	users := newUsers(300)
	groups := &memType{name: "group", gen: 4, recs: map[string]Record{}}
	groups.put(Record{ID: "00g1", Content: 1, Paths: []string{"profile.name"}, Hashes: []uint16{9}, Dim: "OKTA_GROUP", Name: "Admins", Value: -3})
	extra := storage.SetOperation("inventory_watermarks", []byte(`{"user":"x"}`))
	st, err := s.Commit(ctx, []Source{users.source(), groups.source()}, extra)
	require.NoError(t, err)
	// 300 users: 8 buckets of at most TargetPerBucket on average, 1 group bucket, manifest, extra.
	assert.Equal(t, 8+1+1+1, st.Keys)

	_, res, err = Open(ctx, c, testID)
	require.NoError(t, err)
	require.Empty(t, res.SetAside)
	require.Len(t, res.Types, 2)
	assert.Equal(t, TypeMeta{Buckets: 8, Gen: 1, Synced: true}, res.Types["user"].Meta)
	assert.Equal(t, TypeMeta{Buckets: 1, Gen: 4, Synced: false}, res.Types["group"].Meta)
	want := make([]Record, 0, len(users.recs))
	for _, r := range users.recs {
		want = append(want, r)
	}
	assert.Equal(t, sortedRecords(want), sortedRecords(res.Types["user"].Records))
	assert.Equal(t, groups.recs["00g1"], res.Types["group"].Records[0])
	v, err := c.Get(ctx, "inventory_watermarks")
	require.NoError(t, err)
	assert.JSONEq(t, `{"user":"x"}`, string(v), "the caller's keys are written in the same batch")
}

func TestCommitRewritesOnlyTheChangedBucket(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	s, _, err := Open(ctx, c, testID)
	require.NoError(t, err)
	users := newUsers(1000)
	_, err = s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	n, _ := s.Meta("user")
	require.Equal(t, 16, n.Buckets)

	users.put(user(17, "Auditor"))
	st, err := s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	assert.Equal(t, 2, st.Keys, "one bucket and the manifest")

	delete(users.recs, "00u00018")
	users.dirty = append(users.dirty, "00u00018")
	users.put(user(5000, "New"))
	st, err = s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	wantKeys := map[int]bool{BucketOf("00u00018", 16): true, BucketOf("00u05000", 16): true}
	assert.Equal(t, len(wantKeys)+1, st.Keys)

	_, res, err := Open(ctx, c, testID)
	require.NoError(t, err)
	got := map[string]Record{}
	for _, r := range res.Types["user"].Records {
		got[r.ID] = r
	}
	assert.Len(t, got, 1000)
	assert.Equal(t, "title=Auditor", got["00u00017"].Audit)
	assert.NotContains(t, got, "00u00018")
	assert.Contains(t, got, "00u05000")

	// A store opened from storage knows what each bucket holds: a change after a restart
	// rewrites its bucket with the other objects of that bucket kept.
	s2, _, err := Open(ctx, c, testID)
	require.NoError(t, err)
	users.put(user(17, "Lead auditor"))
	st, err = s2.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	assert.Equal(t, 2, st.Keys)
	_, res, err = Open(ctx, c, testID)
	require.NoError(t, err)
	assert.Len(t, res.Types["user"].Records, 1000)
}

func TestBucketsGrowAndStayBounded(t *testing.T) {
	ctx := context.Background()
	c := newClient()
	s, _, err := Open(ctx, c, testID)
	require.NoError(t, err)
	users := newUsers(100)
	_, err = s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	m, _ := s.Meta("user")
	assert.Equal(t, 2, m.Buckets)
	for i := 100; i < 5000; i++ {
		users.put(user(i, "Engineer"))
	}
	st, err := s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	m, _ = s.Meta("user")
	assert.Equal(t, 128, m.Buckets, "5000 records at most 64 per bucket on average")
	assert.Equal(t, 128+1, st.Keys, "a growth rewrites every bucket of the type")
	_, res, err := Open(ctx, c, testID)
	require.NoError(t, err)
	per := map[int]int{}
	for _, r := range res.Types["user"].Records {
		per[BucketOf(r.ID, m.Buckets)]++
	}
	for b, n := range per {
		assert.LessOrEqual(t, n, MaxPerBucket, "bucket %d", b)
	}
	assert.Len(t, res.Types["user"].Records, 5000)
}

func TestOpenSetsAsideAStateThatDoesNotFit(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		id     Identity
		damage func(c *storagetest.TestClient)
		reason string
	}{
		"other org":       {id: Identity{OrgID: "00oOTHER", Selection: "sel1"}, reason: `org "00oORG"`},
		"other selection": {id: Identity{OrgID: "00oORG", Selection: "sel2"}, reason: "another selection"},
		"damaged bucket": {id: testID, reason: "checksum", damage: func(c *storagetest.TestClient) {
			v, _ := c.Get(ctx, BucketKey("user", 2, 1))
			v[10] ^= 0xff
			require.NoError(t, c.Set(ctx, BucketKey("user", 2, 1), v))
		}},
		"missing bucket": {id: testID, reason: "missing", damage: func(c *storagetest.TestClient) {
			require.NoError(t, c.Delete(ctx, BucketKey("user", 2, 0)))
		}},
		"damaged manifest": {id: testID, reason: "unreadable manifest", damage: func(c *storagetest.TestClient) {
			require.NoError(t, c.Set(ctx, ManifestKey, []byte("{not json")))
		}},
		"bucket of an older state": {id: testID, reason: "epoch", damage: func(c *storagetest.TestClient) {
			other := encodeBucket("0123456789abcdef", "user", 1, []Record{user(1, "x")})
			require.NoError(t, c.Set(ctx, BucketKey("user", 2, 1), other))
		}},
	} {
		t.Run(name, func(t *testing.T) {
			c := newClient()
			s, _, err := Open(ctx, c, testID)
			require.NoError(t, err)
			_, err = s.Commit(ctx, []Source{newUsers(100).source()})
			require.NoError(t, err)
			require.Len(t, keys(t, c), 3)
			if tc.damage != nil {
				tc.damage(c)
			}
			s, res, err := Open(ctx, c, tc.id)
			require.NoError(t, err)
			assert.Contains(t, res.SetAside, tc.reason)
			assert.Nil(t, res.Types)
			if name != "damaged manifest" {
				assert.Empty(t, keys(t, c), "the keys of the set-aside state are deleted")
			}
			// The store starts afresh and its next commit is a complete new state.
			_, err = s.Commit(ctx, []Source{newUsers(10).source()})
			require.NoError(t, err)
			_, res, err = Open(ctx, c, tc.id)
			require.NoError(t, err)
			assert.Empty(t, res.SetAside)
			assert.Len(t, res.Types["user"].Records, 10)
		})
	}
}

func TestDecodeBucketRejectsEveryTruncation(t *testing.T) {
	recs := []Record{user(1, "a"), user(2, "b"), {ID: "x", Paths: nil, Name: "n", Value: 5}}
	v := encodeBucket("0123456789abcdef", "user", 3, recs)
	got, err := decodeBucket(v, "0123456789abcdef", "user", 3)
	require.NoError(t, err)
	assert.Len(t, got, 3)
	for n := range len(v) {
		_, err := decodeBucket(v[:n], "0123456789abcdef", "user", 3)
		assert.Error(t, err, "truncated at %d", n)
	}
	_, err = decodeBucket(v, "0123456789abcdef", "user", 2)
	assert.ErrorContains(t, err, "found under user/2")
}

func FuzzDecodeBucket(f *testing.F) {
	f.Add(encodeBucket("0123456789abcdef", "user", 0, []Record{user(1, "a")}))
	f.Fuzz(func(_ *testing.T, v []byte) {
		// Any input: an error or records, never a panic; a checksum is recomputed so that the
		// decoder itself is exercised.
		if len(v) >= 4 {
			v = seal(v[:len(v)-4])
		}
		_, _ = decodeBucket(v, "0123456789abcdef", "user", 0)
	})
}

// failingBatches is a storage client that counts batches and fails the one numbered failAt
// (1-based; 0: none), as a kill in the middle of a split write would leave it.
type failingBatches struct {
	*storagetest.TestClient
	batches int
	failAt  int
}

func (f *failingBatches) Batch(ctx context.Context, ops ...*storage.Operation) error {
	f.batches++
	if f.batches == f.failAt {
		return fmt.Errorf("killed at batch %d", f.batches)
	}
	return f.TestClient.Batch(ctx, ops...)
}

// TestLargeCommitIsSplitAndAKillBetweenKeepsTheOldState: a write over maxBatchBytes goes in
// several batches with the manifest last; when one of them fails (a kill), the state that is
// read back is the previous one, complete, even though the bucket count grew meanwhile.
func TestLargeCommitIsSplitAndAKillBetweenKeepsTheOldState(t *testing.T) {
	ctx := context.Background()
	c := &failingBatches{TestClient: newClient()}
	s, _, err := Open(ctx, c, testID)
	require.NoError(t, err)
	users := newUsers(1000)
	_, err = s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	require.Equal(t, 1, c.batches, "a small commit is one batch")

	big := strings.Repeat("v", 200)
	for i := range 40000 {
		users.put(user(i, big))
	}
	c.batches, c.failAt = 0, 2
	_, err = s.Commit(ctx, []Source{users.source()})
	require.Error(t, err)
	_, res, err := Open(ctx, c, testID)
	require.NoError(t, err)
	require.Empty(t, res.SetAside)
	assert.Equal(t, 16, res.Types["user"].Meta.Buckets, "the previous layout")
	require.Len(t, res.Types["user"].Records, 1000)
	for _, r := range res.Types["user"].Records {
		assert.Equal(t, "title=Engineer", r.Audit, "the previous content of %s", r.ID)
	}

	c.batches, c.failAt = 0, 0
	st, err := s.Commit(ctx, []Source{users.source()})
	require.NoError(t, err)
	assert.Greater(t, c.batches, 2, "%d bytes in several batches", st.Bytes)
	_, res, err = Open(ctx, c, testID)
	require.NoError(t, err)
	assert.Len(t, res.Types["user"].Records, 40000)
	assert.Empty(t, keysWithPrefix(t, c.TestClient, BucketKey("user", 16, 0)), "the old layout's buckets are deleted")
}

func keysWithPrefix(t *testing.T, c *storagetest.TestClient, prefix string) []string {
	var out []string
	for _, k := range keys(t, c) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}
