package systemlog

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// Regenerate the System Log goldens with: go test ./receiver/oktareceiver/internal/systemlog/ -run Convert -update-systemlog-goldens
var updateSystemLogGoldens = flag.Bool("update-systemlog-goldens", false, "rewrite testdata/systemlog/*.yaml goldens")

var testObserved = time.Date(2026, 2, 3, 11, 0, 0, 0, time.UTC)

func testResource(r pcommon.Resource) {
	r.Attributes().PutStr("okta.org.url", "https://test-org.example.org")
	r.Attributes().PutStr("okta.org.id", "00oTestOrg000000x7")
}

// convertEventFile converts the single LogEvent in a JSON file (as a one-event page).
func convertEventFile(t testing.TB, path string, setResource func(pcommon.Resource)) plog.Logs {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return convertPage(t, append(append([]byte("["), raw...), ']'), 1, setResource)
}

// convertPage decodes a page observed at testObserved, checks its event count and fills the
// resource as the delivery would.
func convertPage(t testing.TB, page []byte, want int, setResource func(pcommon.Resource)) plog.Logs {
	t.Helper()
	batch, err := DecodePage(page, testObserved)
	require.NoError(t, err)
	require.Equal(t, want, batch.Len())
	require.Equal(t, want, batch.logs.LogRecordCount())
	if setResource != nil {
		setResource(batch.logs.ResourceLogs().At(0).Resource())
	}
	return batch.logs
}

// compareGolden compares ld with the golden file, or rewrites it under -update-systemlog-goldens.
func compareGolden(t *testing.T, goldenPath string, ld plog.Logs) {
	t.Helper()
	if *updateSystemLogGoldens {
		require.NoError(t, golden.WriteLogsToFile(goldenPath, ld))
	}
	want, err := golden.ReadLogs(goldenPath)
	require.NoError(t, err, "golden missing: run with -update-systemlog-goldens")
	require.NoError(t, plogtest.CompareLogs(want, ld))
}

func TestConvertSystemLogGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "systemlog", "events", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			ld := convertEventFile(t, f, testResource)
			compareGolden(t, filepath.Join("testdata", "systemlog", name+".yaml"), ld)
		})
	}
}

func TestConvertSystemLogPageGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "systemlog", "page.json"))
	require.NoError(t, err)
	ld := convertPage(t, raw, 3, testResource)
	compareGolden(t, filepath.Join("testdata", "systemlog", "page.yaml"), ld)
}

func TestConvertSystemLogMapping(t *testing.T) {
	ld := convertEventFile(t, filepath.Join("testdata", "systemlog", "events", "signin-failure.json"), testResource)
	require.Equal(t, 1, ld.LogRecordCount())
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)

	assert.Equal(t, "user.session.start", lr.EventName())
	assert.Equal(t, time.Date(2026, 2, 3, 10, 15, 42, 123e6, time.UTC), lr.Timestamp().AsTime())
	assert.Equal(t, testObserved, lr.ObservedTimestamp().AsTime())
	assert.Equal(t, plog.SeverityNumberWarn, lr.SeverityNumber())
	assert.Equal(t, "WARN", lr.SeverityText())

	attrs := lr.Attributes().AsRaw()
	want := map[string]any{
		"okta.record.kind":                    "system_log",
		"log.record.uid":                      "9d2e7a10-0000-4c1a-8f00-000000000001",
		"user.id":                             "00uTestActor000001x7",
		"user.name":                           "jo.tester@example.org",
		"user.full_name":                      "Jo Tester",
		"okta.actor.type":                     "User",
		"client.address":                      "198.51.100.77",
		"user_agent.original":                 "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0",
		"geo.locality.name":                   "Lyon",
		"geo.location.lat":                    45.764,
		"geo.location.lon":                    4.8357,
		"geo.postal_code":                     "69001",
		"okta.client.geo.country":             "France",
		"okta.client.geo.state":               "Auvergne-Rhone-Alpes",
		"session.id":                          "trsTestSession0001",
		"okta.authentication.root_session_id": "unknown",
		"okta.outcome.result":                 "FAILURE",
		"okta.outcome.reason":                 "INVALID_CREDENTIALS",
		"okta.transaction.id":                 "TestTxn0001",
		"okta.transaction.type":               "WEB",
		"okta.event.display_message":          "User login to Okta",
		"okta.event.legacy_type":              "core.user_auth.login_failed",
		"okta.security_context.is_proxy":      true,
		"okta.security_context.as.number":     int64(64496),
		"okta.security_context.as.org":        "test transit",
		"okta.security_context.isp":           "test isp",
		"okta.security_context.domain":        "example.net",
	}
	assert.Equal(t, want, attrs)
	// client.zone "null" (a string Okta really sends) is treated as absent.
	_, hasZone := attrs["okta.client.zone"]
	assert.False(t, hasZone)

	// The body is the whole event with JSON types kept.
	body := lr.Body().Map().AsRaw()
	assert.Equal(t, 45.764, body["client"].(map[string]any)["geographicalContext"].(map[string]any)["geolocation"].(map[string]any)["lat"])
	assert.Equal(t, int64(0), body["authenticationContext"].(map[string]any)["authenticationStep"])
	assert.Nil(t, body["target"])
	_, hasTarget := body["target"]
	assert.True(t, hasTarget, "null fields are kept in the body")
}

func TestConvertSystemLogTargetsAndUnknownFields(t *testing.T) {
	ld := convertEventFile(t, filepath.Join("testdata", "systemlog", "events", "membership-add.json"), nil)
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	ids, ok := lr.Attributes().Get("okta.target.ids")
	require.True(t, ok)
	assert.Equal(t, []any{"00uTestMember00003x7", "00gTestGroup000004x7"}, ids.Slice().AsRaw())
	types, _ := lr.Attributes().Get("okta.target.types")
	assert.Equal(t, []any{"User", "UserGroup"}, types.Slice().AsRaw())
	zone, _ := lr.Attributes().Get("okta.client.zone")
	assert.Equal(t, "Corp VPN", zone.Str())
	tok, _ := lr.Attributes().Get("okta.transaction.request_api_token_id")
	assert.Equal(t, "00TTestToken00005x7", tok.Str())
	_, hasProxy := lr.Attributes().Get("okta.security_context.is_proxy")
	assert.False(t, hasProxy, "isProxy null is not an attribute")

	ld = convertEventFile(t, filepath.Join("testdata", "systemlog", "events", "unknown-fields.json"), nil)
	lr = ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	future := lr.Body().Map().AsRaw()["futureField"].(map[string]any)
	assert.Equal(t, int64(9007199254740993), future["bigInteger"], "integers beyond 2^53 keep every digit")
	assert.Equal(t, 0.125, future["ratio"])
	assert.Equal(t, 1000.0, future["exp"])
	assert.Equal(t, []any{int64(1), "two", true, nil, map[string]any{"deep": []any{[]any{}}}}, future["list"])
	assert.Equal(t, "kept", lr.Body().Map().AsRaw()["anotherNewField"])
	assert.Equal(t, plog.SeverityNumberError, lr.SeverityNumber())
	assert.Equal(t, time.Date(2026, 2, 3, 10, 17, 30, 5e8, time.UTC), lr.Timestamp().AsTime())
}

func TestConvertSystemLogToleratesBadFields(t *testing.T) {
	ld := convertEventFile(t, filepath.Join("testdata", "systemlog", "events", "no-uuid-debug.json"), nil)
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, pcommon.Timestamp(0), lr.Timestamp(), "an unparsable published leaves Timestamp unset")
	assert.Equal(t, testObserved, lr.ObservedTimestamp().AsTime())
	assert.Equal(t, plog.SeverityNumberDebug, lr.SeverityNumber())
	_, hasUID := lr.Attributes().Get("log.record.uid")
	assert.False(t, hasUID)
	_, hasLat := lr.Attributes().Get("geo.location.lat")
	assert.False(t, hasLat, "a string latitude is not a double")

	// Unknown severities map to unspecified with the text kept.
	ld = convertPage(t, []byte(`[{"severity": "NOTICE"}]`), 1, nil)
	lr = ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, plog.SeverityNumberUnspecified, lr.SeverityNumber())
	assert.Equal(t, "NOTICE", lr.SeverityText())
}

// TestConvertSystemLogSharedExamples converts the shared example events (read at test time,
// never copied) and checks each record against the source JSON: the body is the whole event
// and the attributes hold the values the mapping table names.
func TestConvertSystemLogSharedExamples(t *testing.T) {
	dir := testkit.SharedFile(t, "okta/examples/logs")
	files, err := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			ld := convertEventFile(t, f, testResource)
			lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			checkRecordAgainstSource(t, raw, lr)
		})
	}
	pagePath := filepath.Join(dir, "page-api-v1-logs.json")
	raw, err := os.ReadFile(pagePath)
	require.NoError(t, err)
	var plain []json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &plain))
	ld := convertPage(t, raw, len(plain), testResource)
	for i, p := range plain {
		checkRecordAgainstSource(t, p, ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i))
	}
}

func TestConvertSystemLogSharedHookExample(t *testing.T) {
	raw, err := os.ReadFile(testkit.SharedFile(t, "okta/examples/event-hook/delivery-post-body.json"))
	require.NoError(t, err)
	events, err := parseEventHookBody(raw, testObserved)
	require.NoError(t, err)
	var envelope struct {
		Data struct {
			Events []json.RawMessage `json:"events"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(raw, &envelope))
	require.Equal(t, len(envelope.Data.Events), events.Len())
	ld := events.logs
	for i, p := range envelope.Data.Events {
		checkRecordAgainstSource(t, p, ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(i))
	}
}

// checkRecordAgainstSource asserts the mapping of one LogEvent using an independent decode
// of its JSON (float64 numbers, plain maps).
func checkRecordAgainstSource(t *testing.T, raw []byte, lr plog.LogRecord) {
	t.Helper()
	var src map[string]any
	require.NoError(t, json.Unmarshal(raw, &src))
	get := func(path ...string) any {
		var cur any = src
		for _, p := range path {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
		return cur
	}
	field := func(path ...string) string {
		s, _ := get(path...).(string)
		if s == "null" {
			return ""
		}
		return s
	}
	attr := func(k string) any {
		v, ok := lr.Attributes().Get(k)
		if !ok {
			return nil
		}
		return v.AsRaw()
	}
	expectStr := func(k, v string) {
		t.Helper()
		if v == "" {
			assert.Nil(t, attr(k), k)
		} else {
			assert.Equal(t, v, attr(k), k)
		}
	}
	assert.Equal(t, src["eventType"], lr.EventName())
	published, err := time.Parse(time.RFC3339Nano, field("published"))
	require.NoError(t, err)
	assert.Equal(t, published, lr.Timestamp().AsTime().In(published.Location()))
	assert.Equal(t, src["severity"], lr.SeverityText())
	assert.NotEqual(t, plog.SeverityNumberUnspecified, lr.SeverityNumber())
	assert.Equal(t, "system_log", attr("okta.record.kind"))
	expectStr("log.record.uid", field("uuid"))
	expectStr("user.id", field("actor", "id"))
	expectStr("user.name", field("actor", "alternateId"))
	expectStr("user.full_name", field("actor", "displayName"))
	expectStr("client.address", field("client", "ipAddress"))
	expectStr("user_agent.original", field("client", "userAgent", "rawUserAgent"))
	expectStr("geo.locality.name", field("client", "geographicalContext", "city"))
	expectStr("okta.client.geo.country", field("client", "geographicalContext", "country"))
	expectStr("session.id", field("authenticationContext", "externalSessionId"))
	expectStr("okta.outcome.result", field("outcome", "result"))
	expectStr("okta.outcome.reason", field("outcome", "reason"))
	expectStr("okta.transaction.id", field("transaction", "id"))
	if lat, ok := get("client", "geographicalContext", "geolocation", "lat").(float64); ok {
		assert.Equal(t, lat, attr("geo.location.lat"))
	}
	if targets, ok := get("target").([]any); ok && len(targets) > 0 {
		var ids []any
		for _, tg := range targets {
			ids = append(ids, tg.(map[string]any)["id"])
		}
		assert.Equal(t, ids, attr("okta.target.ids"))
	}
	if p, ok := get("securityContext", "isProxy").(bool); ok {
		assert.Equal(t, p, attr("okta.security_context.is_proxy"))
	}
	// Body: every field of the source, same values once numbers are compared as numbers.
	assert.True(t, reflect.DeepEqual(normalizeNumbers(src), normalizeNumbers(lr.Body().Map().AsRaw())),
		"body differs from the source event")
}

// normalizeNumbers turns every number into float64 so that int64 and float64 compare.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = normalizeNumbers(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = normalizeNumbers(item)
		}
		return out
	case int64:
		return float64(x)
	default:
		return v
	}
}

// TestSystemLogEventRefsFeedInventoryRefresh: what onEvents receives holds the fields the
// inventory's event-driven refresh reads (uuid, eventType, target types and ids, actor id),
// with the body's values.
func TestSystemLogEventRefsFeedInventoryRefresh(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "systemlog", "events", "membership-add.json"))
	require.NoError(t, err)
	batch, err := DecodePage(append(append([]byte("["), raw...), ']'), testObserved)
	require.NoError(t, err)
	refs := batch.eventRefs()
	require.Len(t, refs, 1)
	body := batch.records().At(0).Body().Map().AsRaw()
	assert.Equal(t, body["uuid"], refs[0].UUID)
	assert.Equal(t, body["eventType"], refs[0].EventType)
	assert.Equal(t, body["actor"].(map[string]any)["id"], refs[0].ActorID)
	var want []EventTarget
	for _, tg := range body["target"].([]any) {
		m := tg.(map[string]any)
		want = append(want, EventTarget{Type: m["type"].(string), ID: m["id"].(string)})
	}
	assert.Equal(t, want, refs[0].Targets)

	changes := Changes(refs)
	require.NotEmpty(t, changes)
	assert.Equal(t, resource.GroupMembership, changes[0].Type)
	assert.Equal(t, "00uTestMember00003x7", changes[0].ID)
	assert.Equal(t, "00gTestGroup000004x7", changes[0].Parent)
}

// TestSystemLogEventRefsSkipUnrelatedEvents: an event type that cannot name an inventory
// object (a sign-in) carries its uuid and eventType only.
func TestSystemLogEventRefsSkipUnrelatedEvents(t *testing.T) {
	page := `[{"uuid":"u-1","eventType":"user.session.start","actor":{"id":"00u1","type":"User"},"target":[{"id":"00u1","type":"User"}]}]`
	batch, err := DecodePage([]byte(page), testObserved)
	require.NoError(t, err)
	refs := batch.eventRefs()
	assert.Equal(t, []EventRef{{UUID: "u-1", EventType: "user.session.start"}}, refs)
	assert.Empty(t, Changes(refs))
}
