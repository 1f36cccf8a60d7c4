// Package systemlogtest holds the reference System Log decoder and converter: the first,
// simple implementation (encoding/json into map[string]any, then emit.SetValue), kept as the
// oracle that systemlog.DecodePage must match exactly and as the baseline of its benchmarks.
// It states the record mapping on its own (attribute keys included) instead of reading the
// systemlog package's constants, so that a wrong key there is a difference here. Tests only.
package systemlogtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// errNotJSONArray is returned when a page is not a JSON array.
var errNotJSONArray = errors.New("system log page is not a JSON array")

// DecodePage decodes a GET /api/v1/logs body: a JSON array of LogEvent objects.
// Numbers stay json.Number (no float64 rounding of ids or large integers). Any syntax error,
// a truncated body, a non-object element or trailing data is an error: the caller retries the
// same cursor rather than skipping events.
func DecodePage(body []byte) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, errNotJSONArray
		}
		return nil, fmt.Errorf("decode System Log page: %w", err)
	}
	if raw == nil {
		return nil, errNotJSONArray // `null`
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode System Log page: trailing data after the JSON array")
	}
	events := make([]map[string]any, 0, len(raw))
	for i, v := range raw {
		ev, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("decode System Log page: element %d is not a JSON object", i)
		}
		events = append(events, ev)
	}
	return events, nil
}

// Event gives typed read access to the fields of a decoded LogEvent map.
type Event map[string]any

// str returns the string at path ("" when absent, null or not a string; Okta's literal "null"
// string, seen in client.zone, counts as absent).
func (e Event) text(path ...string) string {
	s, _ := e.lookup(path...).(string)
	if s == "null" {
		return ""
	}
	return s
}

func (e Event) lookup(path ...string) any {
	var cur any = map[string]any(e)
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// UUID returns the event's uuid ("" when missing).
func (e Event) UUID() string { return e.text("uuid") }

// Published returns the parsed `published` time (zero when absent or malformed).
func (e Event) Published() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.text("published"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// Outcome returns outcome.result, or "UNKNOWN" when absent.
func (e Event) Outcome() string {
	if r := e.text("outcome", "result"); r != "" {
		return r
	}
	return "UNKNOWN"
}

// Convert builds one plog.Logs (one resource, one scope) holding a record per
// event, in order. setResource fills the resource attributes (may be nil). Pure: the output
// depends only on the inputs.
func Convert(events []map[string]any, observed time.Time, setResource func(pcommon.Resource)) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	if setResource != nil {
		setResource(rl.Resource())
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	records := sl.LogRecords()
	records.EnsureCapacity(len(events))
	for _, ev := range events {
		fillRecord(records.AppendEmpty(), ev, observed)
	}
	return ld
}

// fillRecord maps one LogEvent to lr, field by field.
func fillRecord(lr plog.LogRecord, raw map[string]any, observed time.Time) {
	ev := Event(raw)
	lr.SetEventName(ev.text("eventType"))
	if t := ev.Published(); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	sevText := ev.text("severity")
	lr.SetSeverityText(sevText)
	lr.SetSeverityNumber(severityNumber(sevText))
	emit.SetValue(lr.Body(), raw)

	attrs := lr.Attributes()
	attrs.EnsureCapacity(24)
	attrs.PutStr("okta.record.kind", "system_log")
	refPutStr(attrs, "log.record.uid", ev.UUID())
	refPutStr(attrs, "user.id", ev.text("actor", "id"))
	refPutStr(attrs, "user.name", ev.text("actor", "alternateId"))
	refPutStr(attrs, "user.full_name", ev.text("actor", "displayName"))
	refPutStr(attrs, "okta.actor.type", ev.text("actor", "type"))
	refPutStr(attrs, "client.address", ev.text("client", "ipAddress"))
	refPutStr(attrs, "user_agent.original", ev.text("client", "userAgent", "rawUserAgent"))
	refPutStr(attrs, "okta.client.zone", ev.text("client", "zone"))
	refPutStr(attrs, "geo.locality.name", ev.text("client", "geographicalContext", "city"))
	refPutStr(attrs, "okta.client.geo.state", ev.text("client", "geographicalContext", "state"))
	refPutStr(attrs, "okta.client.geo.country", ev.text("client", "geographicalContext", "country"))
	refPutStr(attrs, "geo.postal_code", ev.text("client", "geographicalContext", "postalCode"))
	refPutDouble(attrs, "geo.location.lat", ev.lookup("client", "geographicalContext", "geolocation", "lat"))
	refPutDouble(attrs, "geo.location.lon", ev.lookup("client", "geographicalContext", "geolocation", "lon"))
	refPutStr(attrs, "session.id", ev.text("authenticationContext", "externalSessionId"))
	refPutStr(attrs, "okta.authentication.root_session_id", ev.text("authenticationContext", "rootSessionId"))
	refPutStr(attrs, "okta.authentication.credential_type", ev.text("authenticationContext", "credentialType"))
	refPutStr(attrs, "okta.outcome.result", ev.text("outcome", "result"))
	refPutStr(attrs, "okta.outcome.reason", ev.text("outcome", "reason"))
	refPutStr(attrs, "okta.transaction.id", ev.text("transaction", "id"))
	refPutStr(attrs, "okta.transaction.type", ev.text("transaction", "type"))
	refPutStr(attrs, "okta.transaction.request_api_token_id", ev.text("transaction", "detail", "requestApiTokenId"))
	refPutStr(attrs, "okta.event.display_message", ev.text("displayMessage"))
	refPutStr(attrs, "okta.event.legacy_type", ev.text("legacyEventType"))
	refPutTargets(attrs, ev.lookup("target"))
	if b, ok := ev.lookup("securityContext", "isProxy").(bool); ok {
		attrs.PutBool("okta.security_context.is_proxy", b)
	}
	if n, ok := ev.lookup("securityContext", "asNumber").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			attrs.PutInt("okta.security_context.as.number", i)
		}
	}
	refPutStr(attrs, "okta.security_context.as.org", ev.text("securityContext", "asOrg"))
	refPutStr(attrs, "okta.security_context.isp", ev.text("securityContext", "isp"))
	refPutStr(attrs, "okta.security_context.domain", ev.text("securityContext", "domain"))
}

// refPutDouble stores v as a double when it is a finite JSON number.
func refPutDouble(attrs pcommon.Map, key string, v any) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return
		}
	case float64:
		f = n
	default:
		return
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	attrs.PutDouble(key, f)
}

// refPutTargets writes okta.target.ids and okta.target.types as string slices (same order,
// "" where a target lacks the field), skipped when the event has no targets.
func refPutTargets(attrs pcommon.Map, v any) {
	targets, ok := v.([]any)
	if !ok || len(targets) == 0 {
		return
	}
	ids := attrs.PutEmptySlice("okta.target.ids")
	types := attrs.PutEmptySlice("okta.target.types")
	ids.EnsureCapacity(len(targets))
	types.EnsureCapacity(len(targets))
	for _, t := range targets {
		m, _ := t.(map[string]any)
		id, _ := m["id"].(string)
		typ, _ := m["type"].(string)
		ids.AppendEmpty().SetStr(id)
		types.AppendEmpty().SetStr(typ)
	}
}

func refPutStr(attrs pcommon.Map, key, val string) {
	if val != "" {
		attrs.PutStr(key, val)
	}
}

// severityNumber maps Okta's severity to the OTel severity number (unknown: unspecified).
func severityNumber(s string) plog.SeverityNumber {
	switch s {
	case "DEBUG":
		return plog.SeverityNumberDebug
	case "INFO":
		return plog.SeverityNumberInfo
	case "WARN":
		return plog.SeverityNumberWarn
	case "ERROR":
		return plog.SeverityNumberError
	}
	return plog.SeverityNumberUnspecified
}
