package systemlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
)

// pageDecoder writes JSON values straight into pdata (no intermediate map[string]any, no
// reflection), reading the text with the jsontext tokenizer, which checks the grammar, the
// nesting limit (10000, as encoding/json) and truncation. Its result is exactly what
// encoding/json (UseNumber) followed by emit.SetValue produces (TestSystemLogDecoderMatchesReference,
// FuzzSystemLogDecoderMatchesReference), except that object members keep their source order:
//   - objects become maps (a repeated key keeps its first position and its last value),
//     arrays slices, strings strings (invalid UTF-8 and lone surrogates become U+FFFD, as in
//     encoding/json), true/false bools, null an empty value;
//   - a number that parses as int64 becomes an int, else a finite float64 a double, else its
//     text (a string);
//   - an array or object nested emit.MaxNestedDepth levels below the event is stored as a
//     JSON string (json.Marshal of its decoded form), so hostile input cannot build huge trees.
//
// Every string handed to pdata is a new allocation, an interned member name or a short value
// shared through the decoder's valueCache, never a view of the page: a record kept downstream
// (a rules processor's cache key, a batch) pins only strings of its own size.
//
// Why jsontext: candidates measured on one 1000-event simulator page decoded into a batch
// (BenchmarkDecodeAndConvertSystemLogPage's work, same process, 5 runs each, median process
// CPU per event, on a loaded 2-core machine; an earlier run agreed within 15%):
//
//	hand-made scanner over unsafe.String (previous code)      46 µs   169k allocs/page
//	jsontext tokenizer (this code)                             71 µs   222k allocs/page
//	valyala/fastjson tree, walked into pdata                   55 µs   323k allocs/page
//	goccy/go-json into []any (UseNumber), then converted      136 µs   562k allocs/page
//	encoding/json Decoder.Token stream                        272 µs  1381k allocs/page
//
// fastjson is a little faster but passes invalid UTF-8 through, rejects nesting beyond 300
// levels and sees little maintenance; the any-tree decoders lose the members' order and
// cost 2-3x. jsontext matches encoding/json's grammar and limits exactly, is maintained
// as the basis of encoding/json/v2, and is within 1.5x of the hand-made scanner, which
// is below the 2x that would justify keeping a hand-made engine.
type pageDecoder struct {
	dec *jsontext.Decoder
	// names interns member names: the events of a page (and of all pages) share a few dozen
	// of them, so each costs one allocation per process instead of one per event. One lookup
	// gives both the name and its size hints.
	names map[string]*memberName
	// event holds the size hints of the events themselves (the page's top-level objects).
	event memberName
	// values shares the short string values that repeat across events (valueCache).
	values *valueCache
}

// memberName is an interned member name and how many entries the last object and the last
// array under that name had: events of one page share their shape, so maps and slices are
// allocated once at the right size instead of regrowing for every event.
type memberName struct {
	name          string
	object, array int32
}

// maxInternedNames bounds pageDecoder.names (hostile input can use endless names).
const maxInternedNames = 4096

// pageDecoderOptions accept what encoding/json accepts: repeated member names (the last value
// wins) and invalid UTF-8 inside strings (replaced by U+FFFD).
var pageDecoderOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

var pageDecoderPool = sync.Pool{New: func() any {
	return &pageDecoder{dec: jsontext.NewDecoder(new(bytes.Buffer), pageDecoderOptions...), names: make(map[string]*memberName, 128), values: newValueCache()}
}}

// getPageDecoder returns a decoder reading body in place (a bytes.Buffer is read without a copy).
func getPageDecoder(body []byte) *pageDecoder {
	d := pageDecoderPool.Get().(*pageDecoder)
	d.dec.Reset(bytes.NewBuffer(body), pageDecoderOptions...)
	return d
}

// putPageDecoder returns d to the pool without its input.
func putPageDecoder(d *pageDecoder) {
	d.dec.Reset(new(bytes.Buffer), pageDecoderOptions...)
	if len(d.names) >= maxInternedNames {
		clear(d.names)
	}
	pageDecoderPool.Put(d)
}

// kind returns the kind of the next token (jsontext.KindInvalid on a syntax error, which the
// next read returns).
func (d *pageDecoder) kind() jsontext.Kind { return d.dec.PeekKind() }

// readErr reads the next token to obtain the error that made kind return KindInvalid, or
// reports an unexpected token.
func (d *pageDecoder) readErr(context string) error {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	return fmt.Errorf("unexpected %s %s at offset %d", tok.Kind(), context, d.dec.InputOffset())
}

// value decodes the next value into dst. depth is the nesting below the event (the event
// object itself is depth 0); hints are the size hints of the member name the value belongs
// to (for array elements, the array's), nil when the name is not interned.
func (d *pageDecoder) value(dst pcommon.Value, depth int, hints *memberName) error {
	switch d.kind() {
	case '{':
		if depth >= emit.MaxNestedDepth {
			return d.tooDeep(dst)
		}
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		return d.object(dst.SetEmptyMap(), depth, hints)
	case '[':
		if depth >= emit.MaxNestedDepth {
			return d.tooDeep(dst)
		}
		if _, err := d.dec.ReadToken(); err != nil {
			return err
		}
		return d.array(dst.SetEmptySlice(), depth, hints)
	case '"':
		raw, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		s, err := d.readString(raw)
		if err != nil {
			return err
		}
		dst.SetStr(s)
		return nil
	case '0':
		raw, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		setNumber(dst, raw)
		return nil
	case 't', 'f':
		raw, err := d.dec.ReadValue()
		if err != nil {
			return err
		}
		dst.SetBool(raw[0] == 't')
		return nil
	case 'n':
		_, err := d.dec.ReadValue() // an empty value is JSON null
		return err
	default:
		return d.readErr("looking for beginning of value")
	}
}

// object decodes the members of the object whose '{' was just read into m (see value for hints).
func (d *pageDecoder) object(m pcommon.Map, depth int, hints *memberName) error {
	if hints != nil && hints.object > 0 {
		m.EnsureCapacity(int(hints.object))
	}
	for {
		switch d.kind() {
		case '}':
			if hints != nil {
				hints.object = int32(m.Len())
			}
			_, err := d.dec.ReadToken()
			return err
		case '"':
			raw, err := d.dec.ReadValue()
			if err != nil {
				return err
			}
			key, keyHints, err := d.readName(raw)
			if err != nil {
				return err
			}
			// PutEmpty reuses the slot of a repeated key: the last value wins, as in encoding/json.
			if err := d.value(m.PutEmpty(key), depth+1, keyHints); err != nil {
				return err
			}
		default:
			return d.readErr("looking for an object member name")
		}
	}
}

// array decodes the elements of the array whose '[' was just read into s (see value for hints).
func (d *pageDecoder) array(s pcommon.Slice, depth int, hints *memberName) error {
	if hints != nil && hints.array > 0 {
		s.EnsureCapacity(int(hints.array))
	}
	for {
		if d.kind() == ']' {
			if hints != nil {
				hints.array = int32(s.Len())
			}
			_, err := d.dec.ReadToken()
			return err
		}
		if err := d.value(s.AppendEmpty(), depth+1, hints); err != nil {
			return err
		}
	}
}

// readString returns the content of the JSON string value raw (quotes included), shared
// through the value cache when it has no escapes.
func (d *pageDecoder) readString(raw jsontext.Value) (string, error) {
	if content, plain := plainContent(raw); plain {
		return d.values.get(content), nil
	}
	return d.unquote(raw)
}

// readName returns the member name raw (quotes included), interned with its size hints when
// it has no escapes and the table has room (else the hints are nil).
func (d *pageDecoder) readName(raw jsontext.Value) (string, *memberName, error) {
	content, plain := plainContent(raw)
	if !plain {
		s, err := d.unquote(raw)
		return s, nil, err
	}
	if n, ok := d.names[string(content)]; ok {
		return n.name, n, nil
	}
	s := string(content)
	if len(d.names) >= maxInternedNames {
		return s, nil, nil
	}
	n := &memberName{name: s}
	d.names[s] = n
	return s, n, nil
}

// plainContent returns the text between the quotes of the JSON string raw, and whether that
// text is the string itself: no escapes and valid UTF-8.
func plainContent(raw jsontext.Value) ([]byte, bool) {
	content := raw[1 : len(raw)-1]
	return content, bytes.IndexByte(content, '\\') < 0 && utf8.Valid(content)
}

// unquote decodes a JSON string that has escapes or invalid UTF-8 with encoding/json, whose
// replacement of invalid UTF-8 and lone surrogates the reference defines.
func (d *pageDecoder) unquote(raw jsontext.Value) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("string at offset %d: %w", d.dec.InputOffset(), err)
	}
	return s, nil
}

// setNumber stores the (valid) JSON number raw like setPdataNumber: int64 when it parses as
// one, else a finite double, else its text.
func setNumber(dst pcommon.Value, raw jsontext.Value) {
	if !bytes.ContainsAny(raw, ".eE") {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			dst.SetInt(n)
			return
		}
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil && !math.IsInf(f, 0) {
		dst.SetDouble(f)
		return
	}
	dst.SetStr(string(raw))
}

// tooDeep stores the container at the current position as JSON text, exactly as
// emit.SetValue does below its nesting limit (rare, hostile input only: the slow path is fine).
func (d *pageDecoder) tooDeep(dst pcommon.Value) error {
	raw, err := d.dec.ReadValue()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decode nested value at offset %d: %w", d.dec.InputOffset(), err)
	}
	emit.SetJSONString(dst, v)
	return nil
}

// page decodes the whole input as a System Log page (see DecodePage); size is the
// input's length, for the initial capacity of the batch.
func (d *pageDecoder) page(observed time.Time, size int) (*Batch, error) {
	if d.kind() != '[' {
		if err := d.dec.SkipValue(); err != nil {
			return nil, fmt.Errorf("decode System Log page: %w", err)
		}
		if err := d.end(); err != nil {
			return nil, err
		}
		return nil, errNotJSONArray
	}
	if _, err := d.dec.ReadToken(); err != nil {
		return nil, fmt.Errorf("decode System Log page: %w", err)
	}
	// Okta events are 1-3 KB of JSON: this guess avoids most regrowth of the record slice.
	batch := newBatch(min(size/1024+1, 1000))
	records := batch.records()
	obs := pcommon.NewTimestampFromTime(observed)
	for i := 0; d.kind() != ']'; i++ {
		if d.kind() != '{' {
			if err := d.dec.SkipValue(); err != nil {
				return nil, fmt.Errorf("decode System Log page: %w", err)
			}
			return nil, fmt.Errorf("decode System Log page: element %d is not a JSON object", i)
		}
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, fmt.Errorf("decode System Log page: event %d: %w", i, err)
		}
		lr := records.AppendEmpty()
		bodyMap := lr.Body().SetEmptyMap()
		if err := d.object(bodyMap, 0, &d.event); err != nil {
			return nil, fmt.Errorf("decode System Log page: event %d: %w", i, err)
		}
		batch.facts = append(batch.facts, fillSystemLogRecord(lr, bodyMap, obs))
	}
	if _, err := d.dec.ReadToken(); err != nil { // ']'
		return nil, fmt.Errorf("decode System Log page: %w", err)
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return batch, nil
}

// end checks that nothing but whitespace follows the top-level value.
func (d *pageDecoder) end() error {
	if _, err := d.dec.ReadToken(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode System Log page: %w", errTrailingData)
	}
	return nil
}
