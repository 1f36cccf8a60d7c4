package oktareceiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// jsonMaxNesting is encoding/json's limit on nested arrays and objects; deeper input is a
// syntax error here too, so both decoders accept exactly the same documents.
const jsonMaxNesting = 10000

// pdataJSONDecoder is a single-pass JSON reader that writes values straight into pdata (no
// intermediate map[string]any, no reflection). Its result is exactly what encoding/json
// (UseNumber) followed by setPdataValue produces (TestSystemLogDecoderMatchesReference,
// FuzzSystemLogDecoderMatchesReference):
//   - objects become maps (a repeated key keeps its last value), arrays slices, strings strings
//     (invalid UTF-8 and lone surrogates become U+FFFD, as in encoding/json), true/false bools,
//     null an empty value;
//   - a number that parses as int64 becomes an int, else a finite float64 a double, else its
//     text (a string);
//   - an array or object nested maxSystemLogNestedDepth levels below the event is stored as a
//     JSON string (json.Marshal of its decoded form), so hostile input cannot build huge trees.
//
// Strings without escapes are substrings of src: decode a page from ONE string copy of the
// body (string(body)) so that keys and values need no allocation each. The records then keep
// that page string alive until they are all released downstream.
type pdataJSONDecoder struct {
	src     string
	pos     int
	nesting int // open arrays/objects, for jsonMaxNesting
	scratch []byte
	// sizes remembers, per member name, how many entries its last object and array had:
	// events of one page share their shape, so maps and slices are allocated once at the
	// right size instead of regrowing (or being over-allocated) for every event.
	sizes map[string]containerSize
}

// maxRememberedSizes bounds pdataJSONDecoder.sizes (hostile input can use endless names).
const maxRememberedSizes = 1024

var pdataJSONDecoderPool = sync.Pool{New: func() any { return new(pdataJSONDecoder) }}

// getPdataJSONDecoder returns a decoder for src that keeps the size hints learned from
// previous pages and deliveries.
func getPdataJSONDecoder(src string) *pdataJSONDecoder {
	d := pdataJSONDecoderPool.Get().(*pdataJSONDecoder)
	d.src, d.pos, d.nesting = src, 0, 0
	return d
}

// putPdataJSONDecoder returns d to the pool without its source text.
func putPdataJSONDecoder(d *pdataJSONDecoder) {
	d.src = ""
	if len(d.sizes) > maxRememberedSizes {
		clear(d.sizes)
	}
	if cap(d.scratch) > 64<<10 {
		d.scratch = nil
	}
	pdataJSONDecoderPool.Put(d)
}

// containerSize is the last seen size of the object and of the array under one member name.
type containerSize struct{ object, array int32 }

// sizeHint returns the remembered sizes for name (zero when unknown).
func (d *pdataJSONDecoder) sizeHint(name string) containerSize {
	if d.sizes == nil {
		d.sizes = make(map[string]containerSize, 32)
	}
	return d.sizes[name]
}

// jsonSyntaxError is a syntax error at a byte offset of the decoded text.
type jsonSyntaxError struct {
	msg    string
	offset int
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.msg, e.offset)
}

func (d *pdataJSONDecoder) errorf(format string, args ...any) error {
	return &jsonSyntaxError{msg: fmt.Sprintf(format, args...), offset: d.pos}
}

// unexpected describes the byte at the current position (or the end of input) as an error.
func (d *pdataJSONDecoder) unexpected(context string) error {
	if d.pos >= len(d.src) {
		return &jsonSyntaxError{msg: "unexpected end of JSON input " + context, offset: d.pos}
	}
	return d.errorf("invalid character %q %s", d.src[d.pos], context)
}

// skipSpace moves past JSON whitespace and returns the next byte (0 at the end).
func (d *pdataJSONDecoder) skipSpace() byte {
	for d.pos < len(d.src) {
		switch c := d.src[d.pos]; c {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return c
		}
	}
	return 0
}

func (d *pdataJSONDecoder) enter() error {
	d.nesting++
	if d.nesting > jsonMaxNesting {
		return d.errorf("exceeded max nesting depth %d", jsonMaxNesting)
	}
	return nil
}

// value decodes the value at the current position into dst. depth is the nesting below the
// event (the event object itself is depth 0); name is the member name the value belongs to
// (for arrays, of the array), used for size hints only.
func (d *pdataJSONDecoder) value(dst pcommon.Value, depth int, name string) error {
	switch c := d.skipSpace(); c {
	case '{':
		if depth >= maxSystemLogNestedDepth {
			return d.tooDeep(dst)
		}
		return d.object(dst.SetEmptyMap(), depth, name)
	case '[':
		if depth >= maxSystemLogNestedDepth {
			return d.tooDeep(dst)
		}
		return d.array(dst.SetEmptySlice(), depth, name)
	case '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		dst.SetStr(s)
		return nil
	case 't':
		if err := d.literal("true"); err != nil {
			return err
		}
		dst.SetBool(true)
		return nil
	case 'f':
		if err := d.literal("false"); err != nil {
			return err
		}
		dst.SetBool(false)
		return nil
	case 'n':
		return d.literal("null") // an empty value is JSON null
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number(dst)
		}
		return d.unexpected("looking for beginning of value")
	}
}

// object decodes the object starting at the current '{' into m (see value for name).
func (d *pdataJSONDecoder) object(m pcommon.Map, depth int, name string) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // '{'
	if d.skipSpace() == '}' {
		d.pos++
		d.nesting--
		return nil
	}
	hint := d.sizeHint(name)
	if hint.object > 0 {
		m.EnsureCapacity(int(hint.object))
	}
	for {
		if d.skipSpace() != '"' {
			return d.unexpected("looking for beginning of object key string")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.skipSpace() != ':' {
			return d.unexpected("after object key")
		}
		d.pos++
		// PutEmpty reuses the slot of a repeated key: the last value wins, as in encoding/json.
		if err := d.value(m.PutEmpty(key), depth+1, key); err != nil {
			return err
		}
		switch d.skipSpace() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.nesting--
			if n := int32(m.Len()); n != hint.object {
				hint.object = n
				d.sizes[name] = hint
			}
			return nil
		default:
			return d.unexpected("after object key:value pair")
		}
	}
}

// array decodes the array starting at the current '[' into s (see value for name).
func (d *pdataJSONDecoder) array(s pcommon.Slice, depth int, name string) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++ // '['
	if d.skipSpace() == ']' {
		d.pos++
		d.nesting--
		return nil
	}
	hint := d.sizeHint(name)
	if hint.array > 0 {
		s.EnsureCapacity(int(hint.array))
	}
	for {
		if err := d.value(s.AppendEmpty(), depth+1, name); err != nil {
			return err
		}
		switch d.skipSpace() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.nesting--
			if n := int32(s.Len()); n != hint.array {
				hint.array = n
				d.sizes[name] = hint
			}
			return nil
		default:
			return d.unexpected("after array element")
		}
	}
}

// tooDeep stores the container at the current position as JSON text, exactly as
// setPdataValue does below its nesting limit (rare, hostile input only: the slow path is fine).
func (d *pdataJSONDecoder) tooDeep(dst pcommon.Value) error {
	start := d.pos
	if err := d.skipValue(); err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(d.src[start:d.pos]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decode nested value at offset %d: %w", start, err)
	}
	setJSONString(dst, v)
	return nil
}

// skipValue validates and moves past the value at the current position.
func (d *pdataJSONDecoder) skipValue() error {
	switch c := d.skipSpace(); c {
	case '{':
		if err := d.enter(); err != nil {
			return err
		}
		d.pos++
		if d.skipSpace() == '}' {
			d.pos++
			d.nesting--
			return nil
		}
		for {
			if d.skipSpace() != '"' {
				return d.unexpected("looking for beginning of object key string")
			}
			if _, err := d.str(); err != nil {
				return err
			}
			if d.skipSpace() != ':' {
				return d.unexpected("after object key")
			}
			d.pos++
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.skipSpace() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				d.nesting--
				return nil
			default:
				return d.unexpected("after object key:value pair")
			}
		}
	case '[':
		if err := d.enter(); err != nil {
			return err
		}
		d.pos++
		if d.skipSpace() == ']' {
			d.pos++
			d.nesting--
			return nil
		}
		for {
			if err := d.skipValue(); err != nil {
				return err
			}
			switch d.skipSpace() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.nesting--
				return nil
			default:
				return d.unexpected("after array element")
			}
		}
	default:
		// Scalars: decode into a throw-away value (cheap, and one grammar for both paths).
		return d.value(pcommon.NewValueEmpty(), 0, "")
	}
}

func (d *pdataJSONDecoder) literal(word string) error {
	if !strings.HasPrefix(d.src[d.pos:], word) {
		// Find the first differing byte for the message.
		for i := 0; i < len(word); i++ {
			if d.pos >= len(d.src) || d.src[d.pos] != word[i] {
				return d.unexpected("in literal " + word)
			}
			d.pos++
		}
	}
	d.pos += len(word)
	return nil
}

// number validates the JSON number at the current position and stores it like setPdataNumber:
// int64 when it parses as one, else a finite double, else its text.
func (d *pdataJSONDecoder) number(dst pcommon.Value) error {
	start := d.pos
	s := d.src
	i := d.pos
	if s[i] == '-' {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		d.pos = i
		return d.unexpected("in numeric literal")
	}
	integer := true
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		integer = false
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.pos = i
			return d.unexpected("after decimal point in numeric literal")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		integer = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.pos = i
			return d.unexpected("in exponent of numeric literal")
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.pos = i
	text := s[start:i]
	if integer {
		if n, ok := smallInt(text); ok {
			dst.SetInt(n)
			return nil
		}
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			dst.SetInt(n)
			return nil
		}
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsInf(f, 0) {
		dst.SetDouble(f)
		return nil
	}
	dst.SetStr(text)
	return nil
}

// smallInt parses a validated JSON integer of at most 18 digits (always fits int64).
func smallInt(text string) (int64, bool) {
	neg := text[0] == '-'
	digits := text
	if neg {
		digits = text[1:]
	}
	if len(digits) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		n = n*10 + int64(digits[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainStringByte marks the bytes a string can contain without a closer look: printable
// ASCII other than '"' and '\\'.
var plainStringByte = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str decodes the string starting at the current '"'. Without escapes or invalid UTF-8 the
// result is a substring of src (no allocation).
func (d *pdataJSONDecoder) str() (string, error) {
	s := d.src
	start := d.pos + 1
	for i := start; i < len(s); {
		for i < len(s) && plainStringByte[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return s[start:i], nil
		case c == '\\':
			return d.strSlow(start, i)
		case c < ' ':
			d.pos = i
			return "", d.errorf("invalid character %q in string literal", c)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return d.strSlow(start, i)
			}
			i += size
		}
	}
	d.pos = len(s)
	return "", d.unexpected("in string literal")
}

// strSlow decodes a string with escapes or invalid UTF-8 (from i on) into a new string, with
// encoding/json's rules: invalid bytes and unpaired surrogates become U+FFFD.
func (d *pdataJSONDecoder) strSlow(start, i int) (string, error) {
	s := d.src
	b := append(d.scratch[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.scratch = b
			return string(b), nil
		case c == '\\':
			if i+1 >= len(s) {
				d.pos = len(s)
				return "", d.unexpected("in string escape code")
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
				i += 2
			case 'b':
				b = append(b, '\b')
				i += 2
			case 'f':
				b = append(b, '\f')
				i += 2
			case 'n':
				b = append(b, '\n')
				i += 2
			case 'r':
				b = append(b, '\r')
				i += 2
			case 't':
				b = append(b, '\t')
				i += 2
			case 'u':
				r := hex4(s, i+2)
				if r < 0 {
					d.pos = i + 2
					for k := 0; k < 4 && d.pos < len(s) && isHex(s[d.pos]); k++ {
						d.pos++
					}
					return "", d.unexpected("in \\u hexadecimal character escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					var r2 rune = -1
					if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						i += 6
						continue
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				d.pos = i + 1
				return "", d.unexpected("in string escape code")
			}
		case c < ' ':
			d.pos = i
			return "", d.errorf("invalid character %q in string literal", c)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // RuneError for an invalid byte, like encoding/json
			i += size
		}
	}
	d.pos = len(s)
	d.scratch = b
	return "", d.unexpected("in string literal")
}

// hex4 reads 4 hex digits at s[i:] (-1 when they are not there).
func hex4(s string, i int) rune {
	if i+4 > len(s) {
		return -1
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// errTrailingData is returned when non-whitespace follows the top-level value.
var errTrailingData = errors.New("trailing data after the JSON array")
