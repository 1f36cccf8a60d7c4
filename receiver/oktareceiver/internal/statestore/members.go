package statestore

import (
	"encoding/binary"
	"strings"
)

// The store remembers which ids each bucket holds, so that rewriting a bucket reads only its
// own objects. A bucket's ids are packed in one string, each behind its length as a uvarint:
// they cost their bytes and one allocation per bucket, rather than a string header per id
// and, when the caller keeps its objects under keys of its own, a second copy of every id.

// packIDs packs ids into one string.
func packIDs(ids []string) string {
	n := 0
	for _, id := range ids {
		n += binary.MaxVarintLen64 + len(id)
	}
	var b strings.Builder
	b.Grow(n)
	var lenBuf [binary.MaxVarintLen64]byte
	for _, id := range ids {
		b.Write(binary.AppendUvarint(lenBuf[:0], uint64(len(id))))
		b.WriteString(id)
	}
	return b.String()
}

// eachPacked calls fn with every id of packed (a packIDs result), in order.
func eachPacked(packed string, fn func(id string)) {
	for len(packed) > 0 {
		n, w := uvarintString(packed)
		if w <= 0 || uint64(len(packed)-w) < n {
			return // not produced by packIDs
		}
		fn(packed[w : w+int(n)])
		packed = packed[w+int(n):]
	}
}

// uvarintString decodes the uvarint at the start of s: its value and length (<= 0 when s
// does not start with one).
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
