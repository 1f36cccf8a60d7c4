package oktareceiver

import (
	"encoding/json"
	"math"
	"strconv"
)

// Field hashes of the inventory fingerprint: FNV-1a (64-bit) over a canonical encoding of
// a decoded JSON value, folded to 32 bits. Object members are combined order-independently
// (sum of mixed per-member hashes), so no key sorting and no allocation is needed. The
// hashes live only in memory: the encoding may change between versions.

const (
	fnvOffset64  = 14695981039346656037
	fnvPrime64   = 1099511628211
	hashMaxDepth = 64
)

// hashValue hashes a decoded JSON value canonically.
func hashValue(v any) uint32 {
	x := hashAny(fnvOffset64, v, 0)
	return uint32(x) ^ uint32(x>>32)
}

func hashByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime64 }

func hashUint64(h, v uint64) uint64 {
	for i := 0; i < 8; i++ {
		h = hashByte(h, byte(v>>(8*i)))
	}
	return h
}

func hashString(h uint64, s string) uint64 {
	h = hashUint64(h, uint64(len(s)))
	for i := 0; i < len(s); i++ {
		h = hashByte(h, s[i])
	}
	return h
}

// mix64 is the splitmix64 finalizer: it spreads member hashes before they are summed.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hashAny(h uint64, v any, depth int) uint64 {
	if depth > hashMaxDepth {
		return hashByte(h, '~')
	}
	switch x := v.(type) {
	case nil:
		return hashByte(h, 'n')
	case bool:
		if x {
			return hashByte(h, 't')
		}
		return hashByte(h, 'f')
	case string:
		return hashString(hashByte(h, 's'), x)
	case json.Number:
		return hashString(hashByte(h, '#'), string(x))
	case float64:
		var buf [32]byte
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return hashByte(h, '?')
		}
		return hashString(hashByte(h, '#'), string(strconv.AppendFloat(buf[:0], x, 'g', -1, 64)))
	case []any:
		h = hashByte(h, '[')
		for _, e := range x {
			h = hashAny(h, e, depth+1)
			h = hashByte(h, ',')
		}
		return hashUint64(hashByte(h, ']'), uint64(len(x)))
	case map[string]any:
		var acc uint64
		for k, e := range x {
			acc += mix64(hashAny(hashString(fnvOffset64, k), e, depth+1))
		}
		return hashUint64(hashUint64(hashByte(h, '{'), acc), uint64(len(x)))
	default:
		return hashByte(h, '?')
	}
}
