package systemlog

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A repeated short value is handed out again without a new allocation, and never as a view
// of the caller's bytes.
func TestValueCacheSharesRepeatedShortValues(t *testing.T) {
	c := newValueCache()
	first := []byte("user.session.start")
	got := c.get(first)
	require.Equal(t, "user.session.start", got)
	copy(first, "XXXX") // the page buffer is reused: the string must not change with it
	require.Equal(t, "user.session.start", got)

	again := []byte("user.session.start")
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = c.get(again) }), "a cached value must not allocate")
	require.Equal(t, "user.session.start", c.get(again))
}

// Values longer than maxCachedValueLen are copied every time and never kept.
func TestValueCacheCopiesLongValues(t *testing.T) {
	c := newValueCache()
	long := []byte(strings.Repeat("a", maxCachedValueLen+1))
	got := c.get(long)
	require.Equal(t, string(long), got)
	long[0] = 'b'
	require.Equal(t, strings.Repeat("a", maxCachedValueLen+1), got)
	require.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = c.get(long) }), "a long value is a new copy each time")
	for _, s := range c.slots {
		require.LessOrEqual(t, len(s), maxCachedValueLen)
	}
}

// Many more distinct values than slots: every answer is still the caller's content (a slot
// taken by another value is replaced, never returned), and the cache does not grow.
func TestValueCacheEvictsWithoutMixingValues(t *testing.T) {
	c := newValueCache()
	for round := range 2 {
		for i := range 3 * valueCacheSlots {
			want := "value-" + strconv.Itoa(i)
			require.Equal(t, want, c.get([]byte(want)), "round %d", round)
		}
	}
	require.Len(t, c.slots, valueCacheSlots)
	require.Equal(t, "", c.get(nil))
	require.Equal(t, "", c.get([]byte{}))
}
