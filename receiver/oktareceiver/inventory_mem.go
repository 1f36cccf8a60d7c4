package oktareceiver

import (
	"unsafe"
)

// The inventory state of a large org is tens of MiB of pointer-free data (slots, field
// hashes, ids, the id index). On the Go heap, the garbage collector's pacing (GOGC=100)
// lets the heap grow to twice the live data before collecting, so every byte of state
// would cost two bytes of RSS. These chunks are therefore taken outside the Go heap
// (anonymous mmap on Linux and the BSDs; the Go heap elsewhere or when mmap fails), as fastcache does.
// They must never hold Go pointers. They are returned on compaction, and all of them when
// the owning typeState is garbage collected (runtime.AddCleanup).

// offHeap tracks the chunks owned by one typeState.
type offHeap struct {
	chunks map[unsafe.Pointer]int // start -> length, mmap'ed chunks only
}

func newOffHeap() *offHeap { return &offHeap{chunks: map[unsafe.Pointer]int{}} }

// alloc returns n zeroed bytes.
func (m *offHeap) alloc(n int) []byte {
	if n <= 0 {
		return nil
	}
	b, ok := sysAlloc(n)
	if !ok {
		return make([]byte, n)
	}
	m.chunks[unsafe.Pointer(unsafe.SliceData(b))] = len(b)
	return b
}

// free returns a chunk obtained from alloc (given by its first byte). Heap chunks are
// left to the garbage collector.
func (m *offHeap) free(p unsafe.Pointer) {
	if n, ok := m.chunks[p]; ok {
		delete(m.chunks, p)
		sysFree(unsafe.Slice((*byte)(p), n))
	}
}

// freeAll returns every chunk.
func (m *offHeap) freeAll() {
	for p, n := range m.chunks {
		sysFree(unsafe.Slice((*byte)(p), n))
	}
	clear(m.chunks)
}

func (m *offHeap) uint32s(n int) []uint32 {
	b := m.alloc(n * 4)
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func (m *offHeap) slots(n int) []objSlot {
	b := m.alloc(n * int(unsafe.Sizeof(objSlot{})))
	return unsafe.Slice((*objSlot)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// freeUint32s frees a chunk from uint32s (any length, same backing array).
func (m *offHeap) freeUint32s(s []uint32) {
	if cap(s) > 0 {
		m.free(unsafe.Pointer(unsafe.SliceData(s[:1])))
	}
}

func (m *offHeap) freeBytes(s []byte) {
	if cap(s) > 0 {
		m.free(unsafe.Pointer(unsafe.SliceData(s[:1])))
	}
}

// size returns the bytes held outside the Go heap.
func (m *offHeap) size() int {
	n := 0
	for _, l := range m.chunks {
		n += l
	}
	return n
}
