package oktareceiver

// The reference System Log decoder and converter: the first, simple implementation
// (encoding/json into map[string]any, then setPdataValue), kept as the oracle that
// decodeSystemLogPage must match exactly (systemlog_json_test.go).

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
)

// decodeSystemLogPage decodes a GET /api/v1/logs body: a JSON array of LogEvent objects.
// Numbers stay json.Number (no float64 rounding of ids or large integers). Any syntax error,
// a truncated body, a non-object element or trailing data is an error: the caller retries the
// same cursor rather than skipping events.
func referenceDecodeSystemLogPage(body []byte) ([]map[string]any, error) {
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

// refLogEvent gives typed read access to the fields of a decoded LogEvent map.
type refLogEvent map[string]any

// str returns the string at path ("" when absent, null or not a string; Okta's literal "null"
// string, seen in client.zone, counts as absent).
func (e refLogEvent) text(path ...string) string {
	s, _ := e.lookup(path...).(string)
	if s == "null" {
		return ""
	}
	return s
}

func (e refLogEvent) lookup(path ...string) any {
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

// uuid returns the event's uuid ("" when missing).
func (e refLogEvent) uuid() string { return e.text("uuid") }

// published returns the parsed `published` time (zero when absent or malformed).
func (e refLogEvent) published() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.text("published"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// outcome returns outcome.result, or "UNKNOWN" when absent.
func (e refLogEvent) outcome() string {
	if r := e.text("outcome", "result"); r != "" {
		return r
	}
	return slOutcomeUnknown
}

// convertSystemLogEvents builds one plog.Logs (one resource, one scope) holding a record per
// event, in order. setResource fills the resource attributes (may be nil). Pure: the output
// depends only on the inputs.
func referenceConvertSystemLogEvents(events []map[string]any, observed time.Time, setResource func(pcommon.Resource)) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	if setResource != nil {
		setResource(rl.Resource())
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(systemLogScopeName)
	records := sl.LogRecords()
	records.EnsureCapacity(len(events))
	for _, ev := range events {
		referenceFillSystemLogRecord(records.AppendEmpty(), ev, observed)
	}
	return ld
}

// referenceFillSystemLogRecord maps one LogEvent to lr, field by field.
func referenceFillSystemLogRecord(lr plog.LogRecord, raw map[string]any, observed time.Time) {
	ev := refLogEvent(raw)
	lr.SetEventName(ev.text("eventType"))
	if t := ev.published(); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	sevText := ev.text("severity")
	lr.SetSeverityText(sevText)
	lr.SetSeverityNumber(systemLogSeverity(sevText))
	setPdataValue(lr.Body(), raw)

	attrs := lr.Attributes()
	attrs.EnsureCapacity(24)
	attrs.PutStr(slAttrRecordKind, slRecordKindSystemLog)
	refPutStr(attrs, slAttrLogRecordUID, ev.uuid())
	refPutStr(attrs, slAttrUserID, ev.text("actor", "id"))
	refPutStr(attrs, slAttrUserName, ev.text("actor", "alternateId"))
	refPutStr(attrs, slAttrUserFullName, ev.text("actor", "displayName"))
	refPutStr(attrs, slAttrActorType, ev.text("actor", "type"))
	refPutStr(attrs, slAttrClientAddress, ev.text("client", "ipAddress"))
	refPutStr(attrs, slAttrUserAgent, ev.text("client", "userAgent", "rawUserAgent"))
	refPutStr(attrs, slAttrClientZone, ev.text("client", "zone"))
	refPutStr(attrs, slAttrGeoLocalityName, ev.text("client", "geographicalContext", "city"))
	refPutStr(attrs, slAttrClientGeoState, ev.text("client", "geographicalContext", "state"))
	refPutStr(attrs, slAttrClientGeoCountry, ev.text("client", "geographicalContext", "country"))
	refPutStr(attrs, slAttrGeoPostalCode, ev.text("client", "geographicalContext", "postalCode"))
	refPutDouble(attrs, slAttrGeoLat, ev.lookup("client", "geographicalContext", "geolocation", "lat"))
	refPutDouble(attrs, slAttrGeoLon, ev.lookup("client", "geographicalContext", "geolocation", "lon"))
	refPutStr(attrs, slAttrSessionID, ev.text("authenticationContext", "externalSessionId"))
	refPutStr(attrs, slAttrRootSessionID, ev.text("authenticationContext", "rootSessionId"))
	refPutStr(attrs, slAttrCredentialType, ev.text("authenticationContext", "credentialType"))
	refPutStr(attrs, slAttrOutcomeResult, ev.text("outcome", "result"))
	refPutStr(attrs, slAttrOutcomeReason, ev.text("outcome", "reason"))
	refPutStr(attrs, slAttrTransactionID, ev.text("transaction", "id"))
	refPutStr(attrs, slAttrTransactionType, ev.text("transaction", "type"))
	refPutStr(attrs, slAttrRequestAPITokenID, ev.text("transaction", "detail", "requestApiTokenId"))
	refPutStr(attrs, slAttrDisplayMessage, ev.text("displayMessage"))
	refPutStr(attrs, slAttrLegacyEventType, ev.text("legacyEventType"))
	refPutTargets(attrs, ev.lookup("target"))
	if b, ok := ev.lookup("securityContext", "isProxy").(bool); ok {
		attrs.PutBool(slAttrSecIsProxy, b)
	}
	if n, ok := ev.lookup("securityContext", "asNumber").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			attrs.PutInt(slAttrSecASNumber, i)
		}
	}
	refPutStr(attrs, slAttrSecASOrg, ev.text("securityContext", "asOrg"))
	refPutStr(attrs, slAttrSecISP, ev.text("securityContext", "isp"))
	refPutStr(attrs, slAttrSecDomain, ev.text("securityContext", "domain"))
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
	ids := attrs.PutEmptySlice(slAttrTargetIDs)
	types := attrs.PutEmptySlice(slAttrTargetTypes)
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
