package systemlog

import (
	"errors"
	"fmt"
)

// Okta event uuids are canonical lower-case UUIDs ("dc9fd3c0-598c-11ef-8478-2b7584bf8d5b"):
// the checkpoint stores them as 16 bytes each (recent_uuids_bin, base64 in the JSON record)
// instead of a JSON array of 36-character strings: less than half the bytes written per page
// and no per-string JSON escaping. A window holding any other form of uuid is stored as the
// plain string array (recent_uuids), which is also how older versions stored every window;
// loading accepts both.

const (
	uuidTextLen   = 36
	uuidBinaryLen = 16
)

// packUUIDs returns (nil, packed) when every id is a canonical lower-case UUID, else (ids, nil).
func packUUIDs(ids []string) ([]string, []byte) {
	if len(ids) == 0 {
		return nil, nil
	}
	packed := make([]byte, 0, len(ids)*uuidBinaryLen)
	for _, id := range ids {
		var ok bool
		if packed, ok = appendPackedUUID(packed, id); !ok {
			return ids, nil
		}
	}
	return nil, packed
}

// appendPackedUUID appends the 16 bytes of id, or reports false when id is not a canonical
// lower-case UUID (8-4-4-4-12 hex digits), which would not survive the round trip unchanged.
func appendPackedUUID(dst []byte, id string) ([]byte, bool) {
	if len(id) != uuidTextLen || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return dst, false
	}
	var out [uuidBinaryLen]byte
	for i, at := range uuidByteOffsets {
		hi, lo := lowerHexValues[id[at]], lowerHexValues[id[at+1]]
		if hi|lo > 0x0f {
			return dst, false
		}
		out[i] = hi<<4 | lo
	}
	return append(dst, out[:]...), true
}

// uuidByteOffsets are the positions in a canonical UUID of the two hex digits of each byte.
var uuidByteOffsets = [uuidBinaryLen]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// lowerHexValues maps '0'-'9' and 'a'-'f' to their value and every other byte to 0xff.
var lowerHexValues = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

var errPackedUUIDsLength = errors.New("recent_uuids_bin: length is not a multiple of 16 bytes")

// unpackUUIDs turns recent_uuids_bin back into canonical lower-case UUID strings, oldest first.
func unpackUUIDs(packed []byte) ([]string, error) {
	if len(packed)%uuidBinaryLen != 0 {
		return nil, fmt.Errorf("%w (%d bytes)", errPackedUUIDsLength, len(packed))
	}
	const digits = "0123456789abcdef"
	n := len(packed) / uuidBinaryLen
	// One backing string for the whole window instead of one allocation per uuid.
	text := make([]byte, 0, n*uuidTextLen)
	for i := range n {
		for j, b := range packed[i*uuidBinaryLen : (i+1)*uuidBinaryLen] {
			if j == 4 || j == 6 || j == 8 || j == 10 {
				text = append(text, '-')
			}
			text = append(text, digits[b>>4], digits[b&0x0f])
		}
	}
	all := string(text)
	out := make([]string, n)
	for i := range out {
		out[i] = all[i*uuidTextLen : (i+1)*uuidTextLen]
	}
	return out, nil
}
