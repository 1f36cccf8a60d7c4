package oktareceiver

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	res := s.upsert(resUser, "00u1", decodeObj(t, base), objectMeta{dim: "ACTIVE"}, 1, false)
	assert.True(t, res.created)

	res = s.upsert(resUser, "00u1", decodeObj(t, base), objectMeta{dim: "ACTIVE"}, 1, false)
	assert.False(t, res.created)
	assert.Empty(t, res.changed, "the same object must not be reported as changed")

	// A changed nested field, a new top-level field, and a removed nested field.
	next := `{"id":"00u1","status":"SUSPENDED","lastLogin":"2026-01-01T00:00:00.000Z","profile":{"login":"a@example.com"},"_links":{"self":{"href":"x"}}}`
	res = s.upsert(resUser, "00u1", decodeObj(t, next), objectMeta{dim: "SUSPENDED"}, 1, false)
	assert.Equal(t, []string{"lastLogin", "profile.title", "status"}, res.changed)
	assert.Equal(t, map[string]int64{"SUSPENDED": 1}, s.countBy(resUser))

	// Map member order and key order inside nested values do not matter.
	a := `{"id":"x","settings":{"app":{"b":1,"a":[1,2,{"k":"v","j":null}]}}}`
	b := `{"settings":{"app":{"a":[1,2,{"j":null,"k":"v"}],"b":1}},"id":"x"}`
	s.upsert(resApplication, "x", decodeObj(t, a), objectMeta{}, 1, true)
	res = s.upsert(resApplication, "x", decodeObj(t, b), objectMeta{}, 1, true)
	assert.Empty(t, res.changed)
	c := `{"settings":{"app":{"a":[2,1,{"j":null,"k":"v"}],"b":1}},"id":"x"}`
	res = s.upsert(resApplication, "x", decodeObj(t, c), objectMeta{}, 1, true)
	assert.Equal(t, []string{"settings.app"}, res.changed, "array order matters")
}

func TestInventoryStateChurnCompactsAndKeepsFingerprints(t *testing.T) {
	s := newInventoryState()
	const n = 20000
	obj := func(i int, title string) map[string]any {
		return map[string]any{
			"id": fmt.Sprintf("00u%05d", i), "status": "ACTIVE", "created": "2024-01-01",
			"profile": map[string]any{"login": fmt.Sprintf("u%d@example.com", i), "title": title, "dept": "R&D"},
			"type":    map[string]any{"id": "oty1"},
		}
	}
	gen, _ := s.beginSync(resUser)
	for i := range n {
		s.upsert(resUser, fmt.Sprintf("00u%05d", i), obj(i, "Engineer"), objectMeta{dim: "ACTIVE", parent: "p"}, gen, false)
	}
	assert.Empty(t, s.endSync(resUser, gen, true, nil))
	ts := s.types[resUser]
	wordsBefore := ts.total
	// The second sync sees only the first quarter: the rest is deleted.
	gen, had := s.beginSync(resUser)
	require.True(t, had, "the first full sync completed")
	for i := range n / 4 {
		s.upsert(resUser, fmt.Sprintf("00u%05d", i), obj(i, "Engineer"), objectMeta{dim: "ACTIVE", parent: "p"}, gen, false)
	}
	gone := s.endSync(resUser, gen, true, nil)
	assert.Len(t, gone, n-n/4)
	assert.Equal(t, n/4, s.count(resUser))
	assert.Less(t, ts.total, wordsBefore, "the hash arena is compacted after mass deletion")
	assert.Equal(t, ts.used, ts.total)

	// Fingerprints survived the compaction: unchanged objects report nothing, a change is named.
	for i := range n / 4 {
		title := "Engineer"
		if i%1000 == 0 {
			title = "Manager"
		}
		res := s.upsert(resUser, fmt.Sprintf("00u%05d", i), obj(i, title), objectMeta{dim: "ACTIVE", parent: "p"}, 0, false)
		require.False(t, res.created)
		if title == "Manager" {
			require.Equal(t, []string{"profile.title"}, res.changed, "object %d", i)
		} else {
			require.Empty(t, res.changed, "object %d", i)
		}
	}
	// Removed slots are reused.
	slotsBefore := ts.nslots
	res := s.upsert(resUser, "00unew", obj(n+1, "Engineer"), objectMeta{dim: "ACTIVE"}, 0, false)
	assert.True(t, res.created)
	assert.Equal(t, slotsBefore, ts.nslots)
	assert.True(t, s.remove(resUser, "00unew"))
	assert.False(t, s.known(resUser, "00unew"))
	assert.Len(t, s.childrenOf(resUser, "p"), n/4)
}

func TestInventoryStateKeepsNamesAndValues(t *testing.T) {
	s := newInventoryState()
	s.upsert(resGroup, "00g1", map[string]any{"id": "00g1"}, objectMeta{dim: "OKTA_GROUP", name: "Admins", value: 7}, 1, true)
	s.upsert(resGroup, "00g2", map[string]any{"id": "00g2"}, objectMeta{dim: "OKTA_GROUP", name: "Empty"}, 1, true)
	v := s.valuesOf(resGroup)
	assert.Equal(t, namedValue{name: "Admins", dim: "OKTA_GROUP", value: 7}, v["00g1"])
	assert.Equal(t, namedValue{name: "Empty", dim: "OKTA_GROUP"}, v["00g2"])
	s.upsert(resGroup, "00g1", map[string]any{"id": "00g1"}, objectMeta{dim: "OKTA_GROUP", name: "Admins2", value: 0}, 1, true)
	assert.Equal(t, namedValue{name: "Admins2", dim: "OKTA_GROUP"}, s.valuesOf(resGroup)["00g1"])
	assert.True(t, s.remove(resGroup, "00g2"))
	assert.Empty(t, s.name(resGroup, "00g2"))
}

func TestInventoryStateIndexMatchesReferenceUnderChurn(t *testing.T) {
	s := newInventoryState()
	ref := map[string]bool{}
	rnd := uint64(42)
	next := func() uint64 { rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17; return rnd }
	for step := range 60000 {
		id := fmt.Sprintf("app%d/00u%d", next()%50, next()%400)
		if next()%3 == 0 {
			assert.Equal(t, ref[id], s.remove(resApplicationUser, id), "remove %s at step %d", id, step)
			delete(ref, id)
			continue
		}
		res := s.upsert(resApplicationUser, id, map[string]any{"id": id}, objectMeta{parent: id[:5]}, 0, false)
		require.Equal(t, !ref[id], res.created, "upsert %s at step %d", id, step)
		ref[id] = true
	}
	want := make([]string, 0, len(ref))
	for id := range ref {
		want = append(want, id)
		require.True(t, s.known(resApplicationUser, id), id)
	}
	sort.Strings(want)
	assert.Equal(t, want, s.ids(resApplicationUser, ""), "ids() is sorted")
	assert.Equal(t, len(ref), s.count(resApplicationUser))
	var perParent int64
	for _, c := range s.countByParent(resApplicationUser) {
		perParent += c
	}
	assert.Equal(t, int64(len(ref)), perParent)
	assert.False(t, s.known(resApplicationUser, "missing"))
	// An id too long to keep is reported as created but not tracked.
	long := strings.Repeat("x", maxIDLen+1)
	assert.True(t, s.upsert(resUser, long, map[string]any{}, objectMeta{}, 0, false).created)
	assert.False(t, s.known(resUser, long))
}
