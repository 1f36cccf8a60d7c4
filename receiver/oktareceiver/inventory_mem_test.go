package oktareceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOffHeapChunksAreZeroedWritableAndReturned(t *testing.T) {
	m := newOffHeap()
	words := m.uint32s(1 << 16)
	require.Len(t, words, 1<<16)
	for i := range words {
		require.Zero(t, words[i])
		words[i] = uint32(i)
	}
	assert.Equal(t, uint32(65535), words[65535])
	slots := m.slots(slotChunkSize)
	require.Len(t, slots, slotChunkSize)
	slots[slotChunkSize-1] = objSlot{gen: 7, idLen: 3}
	assert.Equal(t, uint32(7), slots[slotChunkSize-1].gen)
	b := m.alloc(idChunkSize)
	b = append(b[:0], "00u1"...)
	assert.Equal(t, "00u1", string(b))

	m.freeUint32s(words[:0]) // a re-sliced chunk is found by its start
	m.freeBytes(b)
	if probe, mmapped := sysAlloc(1); mmapped {
		sysFree(probe)
		assert.Len(t, m.chunks, 1, "only the slot chunk is left")
	}
	m.freeAll()
	assert.Empty(t, m.chunks)
	assert.Nil(t, m.alloc(0))
}
