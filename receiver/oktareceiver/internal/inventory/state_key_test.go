package inventory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// keyTestIDs are ids whose keys must all differ and decode back: plain ids, composite ids
// (with a further slash, with an empty parent), and ids that start with the marker bytes.
var keyTestIDs = []string{
	"00u1", "00g1/00u1", "00g1/00u2", "00g2/00u1", "00g1/a/b", "/00u1",
	"\x00g1/00u1", "\x0000u1", "\x01", "\x01\x01x", "", "00g1",
}

func TestStateKeyIsOneToOne(t *testing.T) {
	s := newInventoryState()
	seen := map[string]string{}
	for _, id := range keyTestIDs {
		key := string(s.keyOf(id))
		prev, dup := seen[key]
		require.False(t, dup, "ids %q and %q share the key %q", prev, id, key)
		seen[key] = id
		assert.Equal(t, id, s.idOf(key), "key %q", key)
	}
	const own = "00u0123456789abcdefg" // an Okta id is 20 characters
	assert.Len(t, s.keyOf("00g1/"+own), 2+len(own), "a membership's key is a marker, its parent's number and its own id")
}

func TestStateKeyedObjectsKeepTheirIDs(t *testing.T) {
	s := newInventoryState()
	typ := string(resource.GroupMembership)
	gen, _ := s.beginSync(typ)
	for _, id := range keyTestIDs {
		s.upsert(typ, id, map[string]any{"id": id}, objectMeta{parent: "00g1", name: "n-" + id}, gen, true)
	}
	got := s.ids(typ, "")
	assert.ElementsMatch(t, keyTestIDs, got)
	for _, id := range keyTestIDs {
		assert.True(t, s.known(typ, id), id)
		assert.Equal(t, "n-"+id, s.name(typ, id), id)
		rec, ok := s.getRecord(typ)(id)
		require.True(t, ok, id)
		assert.Equal(t, id, rec.ID)
	}
	assert.False(t, s.known(typ, "00g9/00u1"), "an unknown parent is not interned by a lookup")
	_, interned := s.vals.lookup("00g9")
	assert.False(t, interned)

	assert.True(t, s.remove(typ, "00g1/00u2"))
	assert.False(t, s.known(typ, "00g1/00u2"))
	gen, _ = s.beginSync(typ)
	s.upsert(typ, "00g1/00u1", map[string]any{"id": "x"}, objectMeta{parent: "00g1"}, gen, false)
	gone := s.endSync(typ, gen, true, nil)
	assert.Len(t, gone, len(keyTestIDs)-2)
	assert.NotContains(t, gone, "00g1/00u1")
	assert.Contains(t, gone, "\x01\x01x")
	assert.Equal(t, []string{"00g1/00u1"}, s.ids(typ, ""))
}
