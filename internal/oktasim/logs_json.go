package oktasim

import (
	cryptorand "crypto/rand"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The generator encodes LogEvents by hand: it runs at tens of thousands of
// events per second, and reflection-based encoding would dominate its cost.
// These helpers append JSON fragments to a byte slice.

const jsonHex = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal, escaping what RFC 8259
// requires (quotes, backslashes, control characters) and invalid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONStringOrNull appends s as a JSON string, or null when s is empty.
func appendJSONStringOrNull(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, s)
}

// appendFloat appends f in the shortest form that round-trips.
func appendFloat(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendJSONValue appends any value with encoding/json; used for the rare,
// free-form parts (changeDetails) where speed does not matter.
func appendJSONValue(b []byte, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// randomUUID returns a random version 4 UUID from crypto/rand.
func randomUUID() string {
	var u [16]byte
	_, _ = cryptorand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, jsonHex[c>>4], jsonHex[c&0xf])
	}
	return string(b)
}
