package oktasim

// uuidLog is the ground truth of every uuid persisted, in persistence
// order. Canonical UUIDs are kept as 16 bytes (tens of millions fit in a
// few hundred MB); anything else an injected event calls its uuid is kept
// as given.
type uuidLog struct {
	packed []([16]byte)
	odd    map[int]string // position -> non-canonical uuid
}

func (u *uuidLog) add(id string) {
	var b [16]byte
	if !packUUID(id, &b) {
		if u.odd == nil {
			u.odd = map[int]string{}
		}
		u.odd[len(u.packed)] = id
	}
	u.packed = append(u.packed, b)
}

func (u *uuidLog) len() int { return len(u.packed) }

// slice returns the uuids at positions [from, to).
func (u *uuidLog) slice(from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		if s, ok := u.odd[i]; ok {
			out = append(out, s)
			continue
		}
		out = append(out, unpackUUID(&u.packed[i]))
	}
	return out
}

// packUUID parses a canonical lower-case UUID (8-4-4-4-12 hex digits) so
// that unpackUUID gives back the same string.
func packUUID(s string, b *[16]byte) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	j := 0
	for i := 0; i < 36; {
		if s[i] == '-' {
			i++
			continue
		}
		hi, ok1 := hexValue(s[i])
		lo, ok2 := hexValue(s[i+1])
		if !ok1 || !ok2 {
			return false
		}
		b[j] = hi<<4 | lo
		j++
		i += 2
	}
	return true
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func unpackUUID(b *[16]byte) string {
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, jsonHex[c>>4], jsonHex[c&0xf])
	}
	return string(out)
}
