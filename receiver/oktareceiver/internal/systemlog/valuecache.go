package systemlog

import "hash/maphash"

// valueCache hands out one shared string per short string value that repeats across events.
// System Log events repeat most of their values (event types, severities, outcomes, actor
// and target ids and types, user agents, places, display messages): on a 1000-event
// simulator page about 95% of the string values occur more than once. Sharing them saves an
// allocation and its bytes for each repeat, which is most of the decoder's string garbage.
//
// The cache is direct-mapped: a value's hash picks one slot, a hit returns the slot's string
// and a miss replaces it. Its memory is fixed (valueCacheSlots strings of at most
// maxCachedValueLen bytes), so hostile input can only evict entries, never grow it, and a
// record kept downstream pins only strings of its own size.
type valueCache struct {
	seed  maphash.Seed
	slots [valueCacheSlots]string
}

const (
	// valueCacheSlots is a power of two: a hash is reduced to a slot with a mask.
	valueCacheSlots = 4096
	// maxCachedValueLen bounds the strings the cache holds: longer values (free text,
	// JSON-like details) rarely repeat and are copied as they are.
	maxCachedValueLen = 64
)

// newValueCache returns an empty cache with its own hash seed.
func newValueCache() *valueCache { return &valueCache{seed: maphash.MakeSeed()} }

// get returns b as a string: the cached string equal to b when there is one, else a new copy
// of b (cached when it is short enough). The result never shares memory with b.
func (c *valueCache) get(b []byte) string {
	if len(b) == 0 || len(b) > maxCachedValueLen {
		return string(b)
	}
	slot := &c.slots[maphash.Bytes(c.seed, b)&(valueCacheSlots-1)]
	if *slot == string(b) { // the comparison does not allocate
		return *slot
	}
	s := string(b)
	*slot = s
	return s
}
