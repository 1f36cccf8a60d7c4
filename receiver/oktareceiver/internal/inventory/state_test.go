package inventory

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

func decodeObj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

func TestInventoryStateNamesChangedFields(t *testing.T) {
	s := newInventoryState()
	base := `{"id":"00u1","status":"ACTIVE","profile":{"login":"a@example.com","title":"Engineer"},"_links":{"self":{"href":"x"}}}`
	res := s.upsert(string(resource.User), "00u1", decodeObj(t, base), objectMeta{dim: "ACTIVE"}, 1, false)
	assert.True(t, res.created)

	res = s.upsert(string(resource.User), "00u1", decodeObj(t, base), objectMeta{dim: "ACTIVE"}, 1, false)
	assert.False(t, res.created)
	assert.Empty(t, res.changed, "the same object must not be reported as changed")

	// A changed nested field, a new top-level field, and a removed nested field.
	next := `{"id":"00u1","status":"SUSPENDED","lastLogin":"2026-01-01T00:00:00.000Z","profile":{"login":"a@example.com"},"_links":{"self":{"href":"x"}}}`
	res = s.upsert(string(resource.User), "00u1", decodeObj(t, next), objectMeta{dim: "SUSPENDED"}, 1, false)
	assert.Equal(t, []string{"lastLogin", "profile.title", "status"}, res.changed)
	assert.Equal(t, map[string]int64{"SUSPENDED": 1}, s.countBy(string(resource.User)))

	// Map member order and key order inside nested values do not matter.
	a := `{"id":"x","settings":{"app":{"b":1,"a":[1,2,{"k":"v","j":null}]}}}`
	b := `{"settings":{"app":{"a":[1,2,{"j":null,"k":"v"}],"b":1}},"id":"x"}`
	s.upsert(string(resource.Application), "x", decodeObj(t, a), objectMeta{}, 1, true)
	res = s.upsert(string(resource.Application), "x", decodeObj(t, b), objectMeta{}, 1, true)
	assert.Empty(t, res.changed)
	c := `{"settings":{"app":{"a":[2,1,{"j":null,"k":"v"}],"b":1}},"id":"x"}`
	res = s.upsert(string(resource.Application), "x", decodeObj(t, c), objectMeta{}, 1, true)
	assert.Equal(t, []string{"settings.app"}, res.changed, "array order matters")
}

func TestInventoryStateChurnKeepsFingerprints(t *testing.T) {
	s := newInventoryState()
	const n = 20000
	obj := func(i int, title string) map[string]any {
		return map[string]any{
			"id": fmt.Sprintf("00u%05d", i), "status": "ACTIVE", "created": "2024-01-01",
			"profile": map[string]any{"login": fmt.Sprintf("u%d@example.com", i), "title": title, "dept": "R&D"},
			"type":    map[string]any{"id": "oty1"},
		}
	}
	gen, _ := s.beginSync(string(resource.User))
	for i := range n {
		s.upsert(string(resource.User), fmt.Sprintf("00u%05d", i), obj(i, "Engineer"), objectMeta{dim: "ACTIVE", parent: "p"}, gen, false)
	}
	assert.Empty(t, s.endSync(string(resource.User), gen, true, nil))
	assert.Len(t, s.shapes, 1, "objects with the same fields share one shape")
	// The second sync sees only the first quarter: the rest is deleted.
	gen, had := s.beginSync(string(resource.User))
	require.True(t, had, "the first full sync completed")
	for i := range n / 4 {
		s.upsert(string(resource.User), fmt.Sprintf("00u%05d", i), obj(i, "Engineer"), objectMeta{dim: "ACTIVE", parent: "p"}, gen, false)
	}
	gone := s.endSync(string(resource.User), gen, true, nil)
	assert.Len(t, gone, n-n/4)
	assert.True(t, sort.StringsAreSorted(gone))
	assert.Equal(t, n/4, s.count(string(resource.User)))

	// Fingerprints survived: unchanged objects report nothing, a change is named.
	for i := range n / 4 {
		title := "Engineer"
		if i%1000 == 0 {
			title = "Manager"
		}
		res := s.upsert(string(resource.User), fmt.Sprintf("00u%05d", i), obj(i, title), objectMeta{dim: "ACTIVE", parent: "p"}, 0, false)
		require.False(t, res.created)
		if title == "Manager" {
			require.Equal(t, []string{"profile.title"}, res.changed, "object %d", i)
		} else {
			require.Empty(t, res.changed, "object %d", i)
		}
	}
	res := s.upsert(string(resource.User), "00unew", obj(n+1, "Engineer"), objectMeta{dim: "ACTIVE"}, 0, false)
	assert.True(t, res.created)
	assert.True(t, s.remove(string(resource.User), "00unew"))
	assert.False(t, s.known(string(resource.User), "00unew"))
	assert.False(t, s.remove(string(resource.User), "00unew"), "a second remove finds nothing")
	assert.Len(t, s.childrenOf(string(resource.User), "p"), n/4)
	assert.Empty(t, s.childrenOf(string(resource.User), "nobody"))
}

// TestInventoryStateOwnsItsKeys: ids, paths and names given to the state may live in a
// buffer the caller reuses; the state keeps its own copies.
func TestInventoryStateOwnsItsKeys(t *testing.T) {
	s := newInventoryState()
	id := []byte("00g1")
	key := []byte("profile")
	name := []byte("Admins")
	obj := map[string]any{string(key): map[string]any{"name": "x"}}
	s.upsert(string(resource.Group), string(id), obj, objectMeta{dim: "OKTA_GROUP", parent: "p1", name: string(name)}, 1, true)
	copy(id, "XXXX")
	copy(key, "XXXXXXX")
	copy(name, "XXXXXX")
	assert.True(t, s.known(string(resource.Group), "00g1"))
	assert.Equal(t, "Admins", s.name(string(resource.Group), "00g1"))
	assert.Equal(t, map[string]int64{"p1": 1}, s.countByParent(string(resource.Group)))
	res := s.upsert(string(resource.Group), "00g1", map[string]any{"profile": map[string]any{"name": "y"}}, objectMeta{dim: "OKTA_GROUP"}, 1, true)
	assert.Equal(t, []string{"profile.name"}, res.changed)
}

func TestInventoryStateKeepsNamesAndValues(t *testing.T) {
	s := newInventoryState()
	s.upsert(string(resource.Group), "00g1", map[string]any{"id": "00g1"}, objectMeta{dim: "OKTA_GROUP", name: "Admins", value: 7}, 1, true)
	s.upsert(string(resource.Group), "00g2", map[string]any{"id": "00g2"}, objectMeta{dim: "OKTA_GROUP", name: "Empty"}, 1, true)
	v := s.valuesOf(string(resource.Group))
	assert.Equal(t, NamedValue{Name: "Admins", Dim: "OKTA_GROUP", Value: 7}, v["00g1"])
	assert.Equal(t, NamedValue{Name: "Empty", Dim: "OKTA_GROUP"}, v["00g2"])
	s.upsert(string(resource.Group), "00g1", map[string]any{"id": "00g1"}, objectMeta{dim: "OKTA_GROUP", name: "Admins2", value: 0}, 1, true)
	assert.Equal(t, NamedValue{Name: "Admins2", Dim: "OKTA_GROUP"}, s.valuesOf(string(resource.Group))["00g1"])
	assert.True(t, s.remove(string(resource.Group), "00g2"))
	assert.Empty(t, s.name(string(resource.Group), "00g2"))
}

func TestInventoryStateMatchesReferenceUnderChurn(t *testing.T) {
	s := newInventoryState()
	ref := map[string]bool{}
	rnd := uint64(42)
	next := func() uint64 { rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17; return rnd }
	for step := range 60000 {
		id := fmt.Sprintf("app%d/00u%d", next()%50, next()%400)
		if next()%3 == 0 {
			assert.Equal(t, ref[id], s.remove(string(resource.ApplicationUser), id), "remove %s at step %d", id, step)
			delete(ref, id)
			continue
		}
		res := s.upsert(string(resource.ApplicationUser), id, map[string]any{"id": id}, objectMeta{parent: id[:5]}, 0, false)
		require.Equal(t, !ref[id], res.created, "upsert %s at step %d", id, step)
		ref[id] = true
	}
	want := make([]string, 0, len(ref))
	for id := range ref {
		want = append(want, id)
		require.True(t, s.known(string(resource.ApplicationUser), id), id)
	}
	sort.Strings(want)
	assert.Equal(t, want, s.ids(string(resource.ApplicationUser), ""), "ids() is sorted")
	assert.Equal(t, len(ref), s.count(string(resource.ApplicationUser)))
	var perParent int64
	for _, c := range s.countByParent(string(resource.ApplicationUser)) {
		perParent += c
	}
	assert.Equal(t, int64(len(ref)), perParent)
	assert.False(t, s.known(string(resource.ApplicationUser), "missing"))
}

// TestFieldHashIsCanonicalAndStable: member order does not change a hash, kinds and
// neighbours are kept apart, and the hashes are the same in every process (a state kept in
// storage is compared with a later sync): the pinned values change only with the encoding.
func TestFieldHashIsCanonicalAndStable(t *testing.T) {
	var h valueHasher
	a := decodeObj(t, `{"b":1,"a":[1,"x",{"k":true,"j":null}],"c":{"d":2.5}}`)
	b := decodeObj(t, `{"c":{"d":2.5},"a":[1,"x",{"j":null,"k":true}],"b":1}`)
	assert.Equal(t, h.hash64(a), h.hash64(b))
	assert.NotEqual(t, h.hash64("1"), h.hash64(float64(1)), "a string is not a number")
	assert.NotEqual(t, h.hash64([]any{"ab", "c"}), h.hash64([]any{"a", "bc"}))
	assert.NotEqual(t, h.hash64([]any{1.0, 2.0}), h.hash64([]any{2.0, 1.0}), "array order matters")
	assert.NotEqual(t, h.hash64(map[string]any{"a": "b"}), h.hash64(map[string]any{"b": "a"}))
	assert.NotEqual(t, h.hash64(nil), h.hash64(false))
	assert.Equal(t, uint64(0xb897552c318ef063), h.hash64(a), "canonical encoding or hash changed: stored states would all look changed")
	assert.Equal(t, uint64(0x695202f565481280), h.hash64("ACTIVE"))
}

// TestInventoryStateNeverMissesAChange: a change is decided by the 64-bit content hash; when
// the 16-bit field hashes cannot name it (a collision), every path is named rather than none.
func TestInventoryStateNeverMissesAChange(t *testing.T) {
	s := newInventoryState()
	obj := decodeObj(t, `{"id":"x","status":"ACTIVE","profile":{"name":"a","title":"b"}}`)
	before := fingerprint(s.fingerprint(obj))
	same := fingerprint(s.fingerprint(decodeObj(t, `{"profile":{"title":"b","name":"a"},"status":"ACTIVE","id":"x"}`)))
	assert.Equal(t, before, same, "member order does not change a fingerprint")
	assert.Equal(t, before.content(), same.content())

	changed := fingerprint(s.fingerprint(decodeObj(t, `{"id":"x","status":"SUSPENDED","profile":{"name":"a","title":"b"}}`)))
	assert.NotEqual(t, before.content(), changed.content())
	assert.Equal(t, []string{"status"}, s.diff(before, changed))

	// Same field hashes, different content: what a 16-bit collision looks like.
	collided := []byte(before)
	collided[0] ^= 1
	assert.Equal(t, []string{"id", "profile.name", "profile.title", "status"}, s.diff(before, fingerprint(collided)))
}
