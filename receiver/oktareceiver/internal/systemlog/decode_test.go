package systemlog

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog/systemlogtest"
)

// decoderEdgeCases are pages that exercise every branch of pageDecoder: escapes,
// surrogates, invalid UTF-8, repeated keys, number forms, nesting limits and syntax errors.
var decoderEdgeCases = []string{
	``,
	`   `,
	`null`,
	`{}`,
	`"x"`,
	`123`,
	`[]`,
	` [ ] `,
	`[] x`,
	`[] []`,
	`[{}]`,
	`[{},]`,
	`[{}`,
	`[{"a":1}{"b":2}]`,
	`[1]`,
	`[{"a":1}, 2]`,
	`[{"a":1}, nul]`,
	`[{"a": tru}]`,
	`[{"a": falsy}]`,
	`[{"a":1,}]`,
	`[{"a" 1}]`,
	`[{1:1}]`,
	`[{"uuid":"u1","uuid":"u2","eventType":"x","eventType":{"a":1}}]`,
	`[{"n":[0,-0,1,-1,9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,123456789012345678,1234567890123456789]}]`,
	`[{"n":[0.0,-0.0,1.5,1e3,1E-3,1e+2,2.5e400,-1e400,1e-400,12345678901234567890123]}]`,
	`[{"n":[01]}]`, `[{"n":[1.]}]`, `[{"n":[.5]}]`, `[{"n":[-]}]`, `[{"n":[+1]}]`, `[{"n":[1e]}]`, `[{"n":[1e+]}]`, `[{"n":[0x10]}]`, `[{"n":[-01]}]`,
	`[{"s":"plain","e":"tab\tquote\"slash\/back\\nl\nuni\u00e9\u20ac","b":"\b\f\r"}]`,
	`[{"s":"\ud83d\ude00 pair, \ud83d lone high, \ude00 lone low, \ud83d\u0041 high+A, \ud83d\ud83d twice"}]`,
	"[{\"s\":\"raw \xff\xfe bytes, \xed\xa0\x80 surrogate, \xe2\x82 cut, caf\xc3\xa9 ok\"}]",
	"[{\"k\xff\":\"key with a bad byte\",\"k\\u00e9\":1}]",
	"[{\"s\":\"ctl \x01 char\"}]",
	`[{"s":"bad \x escape"}]`,
	`[{"s":"bad \u12G4 escape"}]`,
	`[{"s":"short \u12"}]`,
	`[{"s":"unterminated}]`,
	`[{"s":"ends with backslash\`,
	`[{"s":"\u0000 nul"}]`,
	`[{"s":"<html> & \u2028 line sep"}]`,
	`[{"uuid":"null","published":"null","client":{"zone":"null","geographicalContext":{"geolocation":{"lat":"1","lon":null}}}}]`,
	`[{"published":"0001-01-01T00:00:00Z","severity":"INFO","outcome":null,"target":[]}]`,
	`[{"published":"2026-02-03T10:15:42+02:00","target":[1,{"id":2,"type":"User"},{"id":"i"},null,{"type":"T","id":"x","id":"y"}]}]`,
	`[{"securityContext":{"asNumber":1.0,"isProxy":"true"},"client":{"geographicalContext":{"geolocation":{"lat":45,"lon":9223372036854775807}}}}]`,
	`[{"securityContext":{"asNumber":99999999999999999999,"isProxy":false}}]`,
	`[{"securityContext":{"asNumber":-5},"actor":"not an object","client":[{"ipAddress":"1"}]}]`,
	`[{"a":{}} , {"b":[]}	,
	{"c":[[],{}]}]`,
	nestedPage(63), nestedPage(64), nestedPage(65), nestedPage(200),
	`[{"deep":` + strings.Repeat(`[`, 70) + `1,"x",{"k":"<&>","a":1e400,"b":1.50}` + strings.Repeat(`]`, 70) + `}]`,
	`[{"deep":` + strings.Repeat(`{"k":`, 70) + `"v"` + strings.Repeat(`}`, 70) + `}]`,
	`[{"deep":` + strings.Repeat(`[`, 70) + `1,` + strings.Repeat(`]`, 70) + `}]`,
	`[{"deep":` + strings.Repeat(`[`, 70) + strings.Repeat(`]`, 69) + `}]`,
	`[{"deep":` + strings.Repeat(`[`, 9998) + strings.Repeat(`]`, 9998) + `}]`,
	`[{"deep":` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 9999) + `}]`,
	`[{"deep":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}]`,
	"\xef\xbb\xbf[]",
	"[{\"a\":1}]\n\t \r",
}

// nestedPage is a one-event page whose value "n" is depth levels of objects.
func nestedPage(depth int) string {
	return `[{"n":` + strings.Repeat(`{"a":`, depth) + `true` + strings.Repeat(`}`, depth) + `}]`
}

// decoderFixtures are the realistic pages of testdata/systemlog.
func decoderFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("testdata", "systemlog", "events", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var all []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = append(append([]byte("["), raw...), ']')
		all = append(all, string(raw))
	}
	out["all-events"] = []byte("[" + strings.Join(all, ",") + "]")
	page, err := os.ReadFile(filepath.Join("testdata", "systemlog", "page.json"))
	require.NoError(t, err)
	out["page.json"] = page
	return out
}

// TestSystemLogDecoderMatchesReference: the page decoder produces exactly what the
// reference (encoding/json into map[string]any, then emit.SetValue and the map-based mapping)
// produces, on the fixtures and on every edge case, and fails exactly when it fails.
func TestSystemLogDecoderMatchesReference(t *testing.T) {
	for name, page := range decoderFixtures(t) {
		t.Run(name, func(t *testing.T) {
			requireSameAsReference(t, page, true)
		})
	}
	for i, page := range decoderEdgeCases {
		name := page
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			t.Logf("edge case %d", i)
			requireSameAsReference(t, []byte(page), false)
		})
	}
}

// FuzzSystemLogDecoderMatchesReference: on any input, the page decoder and the
// reference agree on success/failure and, on success, on every record field, attribute and
// body value. Run with:
// go test ./receiver/oktareceiver/internal/systemlog/ -run '^$' -fuzz FuzzSystemLogDecoderMatchesReference -fuzztime 60s
func FuzzSystemLogDecoderMatchesReference(f *testing.F) {
	for _, page := range decoderFixtures(f) {
		f.Add(page)
	}
	for _, page := range decoderEdgeCases {
		if len(page) < 4096 { // the fuzzer mutates small inputs best
			f.Add([]byte(page))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		requireSameAsReference(t, body, false)
	})
}

// requireSameAsReference decodes body with both decoders and fails on any difference.
// mustDecode additionally requires success.
func requireSameAsReference(t *testing.T, body []byte, mustDecode bool) {
	t.Helper()
	observed := time.Date(2026, 2, 3, 11, 0, 0, 0, time.UTC)
	want, wantErr := systemlogtest.DecodePage(body)
	got, gotErr := DecodePage(body, observed)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("reference error %v, decoder error %v", wantErr, gotErr)
	}
	if gotErr != nil {
		require.False(t, mustDecode, "decode failed: %v", gotErr)
		require.Nil(t, got, "no batch with an error")
		require.NotEmpty(t, gotErr.Error())
		return
	}
	wantLogs := systemlogtest.Convert(want, observed, nil)
	require.Equal(t, len(want), got.Len())
	require.Equal(t, wantLogs.LogRecordCount(), got.logs.LogRecordCount())
	require.Equal(t, 1, got.logs.ResourceLogs().Len())
	require.Equal(t, metadata.ScopeName, got.logs.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Name())
	wantRecords := wantLogs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range want {
		w, g := wantRecords.At(i), got.records().At(i)
		require.Equal(t, w.EventName(), g.EventName(), "record %d EventName", i)
		require.Equal(t, w.Timestamp(), g.Timestamp(), "record %d Timestamp", i)
		require.Equal(t, w.ObservedTimestamp(), g.ObservedTimestamp(), "record %d ObservedTimestamp", i)
		require.Equal(t, w.SeverityText(), g.SeverityText(), "record %d SeverityText", i)
		require.Equal(t, w.SeverityNumber(), g.SeverityNumber(), "record %d SeverityNumber", i)
		requireSameValue(t, w.Body(), g.Body(), "body")
		requireSameMap(t, w.Attributes(), g.Attributes(), "attributes")

		ev := systemlogtest.Event(want[i])
		facts := got.facts[i]
		require.Equal(t, ev.UUID(), facts.uuid, "record %d uuid", i)
		require.Equal(t, ev.Published(), facts.published, "record %d published", i)
		require.Equal(t, ev.Outcome(), facts.outcome, "record %d outcome", i)
	}
}

// requireSameValue compares two values strictly: same type, same scalars, maps with the same
// keys (and no repeated key) whatever their order, slices in order.
func requireSameValue(t *testing.T, want, got pcommon.Value, path string) {
	t.Helper()
	require.Equal(t, want.Type().String(), got.Type().String(), "type at %s", path)
	switch want.Type() {
	case pcommon.ValueTypeMap:
		requireSameMap(t, want.Map(), got.Map(), path)
	case pcommon.ValueTypeSlice:
		require.Equal(t, want.Slice().Len(), got.Slice().Len(), "length at %s", path)
		for i := 0; i < want.Slice().Len(); i++ {
			requireSameValue(t, want.Slice().At(i), got.Slice().At(i), path+"[]")
		}
	case pcommon.ValueTypeDouble:
		// Compare bits: -0 and 0 must not be confused.
		require.Equal(t, want.Double(), got.Double(), "double at %s", path)
		require.Equal(t, want.AsString(), got.AsString(), "double at %s", path)
	default:
		require.True(t, want.Equal(got), "value at %s: want %q, got %q", path, want.AsString(), got.AsString())
	}
}

func requireSameMap(t *testing.T, want, got pcommon.Map, path string) {
	t.Helper()
	require.Equal(t, want.Len(), got.Len(), "number of keys at %s", path)
	seen := make(map[string]bool, got.Len())
	for k, gv := range got.All() {
		require.False(t, seen[k], "key %q repeated at %s", k, path)
		seen[k] = true
		wv, ok := want.Get(k)
		require.True(t, ok, "unexpected key %q at %s", k, path)
		requireSameValue(t, wv, gv, path+"."+k)
	}
}

// TestSystemLogDecoderKeepsSourceOrder: body keys keep the event's order (what a reader of
// the exported JSON sees), a repeated key keeps its first position and its last value.
func TestSystemLogDecoderKeepsSourceOrder(t *testing.T) {
	batch, err := DecodePage([]byte(`[{"z":1,"a":2,"m":{"y":true,"b":null},"z":3}]`), time.Now())
	require.NoError(t, err)
	body := batch.records().At(0).Body().Map()
	var keys []string
	for k := range body.All() {
		keys = append(keys, k)
	}
	require.Equal(t, []string{"z", "a", "m"}, keys)
	z, _ := body.Get("z")
	require.Equal(t, int64(3), z.Int())
	require.Equal(t, plog.SeverityNumberUnspecified, batch.records().At(0).SeverityNumber())
}

// TestSystemLogDecoderOwnsItsStrings: the batch shares no memory with the page. Overwriting
// the body after decoding changes no key, value or attribute, so a record (or one string of
// it) kept downstream never pins or sees the page buffer.
func TestSystemLogDecoderOwnsItsStrings(t *testing.T) {
	for name, page := range decoderFixtures(t) {
		t.Run(name, func(t *testing.T) {
			body := slices.Clone(page)
			batch, err := DecodePage(body, time.Unix(0, 0))
			require.NoError(t, err)
			want, err := DecodePage(page, time.Unix(0, 0))
			require.NoError(t, err)
			for i := range body {
				body[i] = 'X'
			}
			require.Equal(t, want.Len(), batch.Len())
			for i := 0; i < want.Len(); i++ {
				w, g := want.records().At(i), batch.records().At(i)
				requireSameValue(t, w.Body(), g.Body(), "body")
				requireSameMap(t, w.Attributes(), g.Attributes(), "attributes")
				require.Equal(t, want.facts[i], batch.facts[i])
			}
		})
	}
}
