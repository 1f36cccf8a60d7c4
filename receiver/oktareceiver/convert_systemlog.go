package oktareceiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Attribute keys of System Log records (ARCHITECTURE §4, GUIDE §7). Semantic conventions
// first; vendor keys under okta.* where no convention exists.
var (
	attrLogRecordUID    = string(semconv.LogRecordUIDKey)
	attrUserID          = string(semconv.UserIDKey)
	attrUserName        = string(semconv.UserNameKey)
	attrUserFullName    = string(semconv.UserFullNameKey)
	attrClientAddress   = string(semconv.ClientAddressKey)
	attrUserAgent       = string(semconv.UserAgentOriginalKey)
	attrGeoLocalityName = string(semconv.GeoLocalityNameKey)
	attrGeoLat          = string(semconv.GeoLocationLatKey)
	attrGeoLon          = string(semconv.GeoLocationLonKey)
	attrGeoPostalCode   = string(semconv.GeoPostalCodeKey)
	attrSessionID       = string(semconv.SessionIDKey)
)

const (
	attrRecordKind          = "okta.record.kind"
	recordKindSystemLog     = "system_log"
	attrActorType           = "okta.actor.type"
	attrOutcomeResult       = "okta.outcome.result"
	attrOutcomeReason       = "okta.outcome.reason"
	attrTransactionID       = "okta.transaction.id"
	attrTransactionType     = "okta.transaction.type"
	attrClientGeoCountry    = "okta.client.geo.country"
	attrClientGeoState      = "okta.client.geo.state"
	attrClientZone          = "okta.client.zone"
	attrTargetIDs           = "okta.target.ids"
	attrTargetTypes         = "okta.target.types"
	attrSecIsProxy          = "okta.security_context.is_proxy"
	attrSecASNumber         = "okta.security_context.as.number"
	attrSecASOrg            = "okta.security_context.as.org"
	attrSecISP              = "okta.security_context.isp"
	attrSecDomain           = "okta.security_context.domain"
	attrDisplayMessage      = "okta.event.display_message"
	attrLegacyEventType     = "okta.event.legacy_type"
	attrRootSessionID       = "okta.authentication.root_session_id"
	attrCredentialType      = "okta.authentication.credential_type"
	attrRequestAPITokenID   = "okta.transaction.request_api_token_id"
	outcomeUnknown          = "UNKNOWN"
	systemLogScopeName      = "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
	maxSystemLogNestedDepth = 64
)

// errNotJSONArray is returned when a System Log page is not a JSON array.
var errNotJSONArray = errors.New("System Log page is not a JSON array")

// decodeSystemLogPage decodes a GET /api/v1/logs body: a JSON array of LogEvent objects.
// Numbers stay json.Number (no float64 rounding of ids or large integers). Any syntax error,
// a truncated body, a non-object element or trailing data is an error: the caller retries the
// same cursor rather than skipping events.
func decodeSystemLogPage(body []byte) ([]map[string]any, error) {
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

// systemLogEvent gives typed read access to the fields of a decoded LogEvent map.
type systemLogEvent map[string]any

// str returns the string at path ("" when absent, null or not a string; Okta's literal "null"
// string, seen in client.zone, counts as absent).
func (e systemLogEvent) str(path ...string) string {
	s, _ := e.lookup(path...).(string)
	if s == "null" {
		return ""
	}
	return s
}

func (e systemLogEvent) lookup(path ...string) any {
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
func (e systemLogEvent) uuid() string { return e.str("uuid") }

// published returns the parsed `published` time (zero when absent or malformed).
func (e systemLogEvent) published() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.str("published"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// outcome returns outcome.result, or "UNKNOWN" when absent.
func (e systemLogEvent) outcome() string {
	if r := e.str("outcome", "result"); r != "" {
		return r
	}
	return outcomeUnknown
}

// convertSystemLogEvents builds one plog.Logs (one resource, one scope) holding a record per
// event, in order. setResource fills the resource attributes (may be nil). Pure: the output
// depends only on the inputs.
func convertSystemLogEvents(events []map[string]any, observed time.Time, setResource func(pcommon.Resource)) plog.Logs {
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
		fillSystemLogRecord(records.AppendEmpty(), ev, observed)
	}
	return ld
}

// fillSystemLogRecord maps one LogEvent to lr (ARCHITECTURE §4).
func fillSystemLogRecord(lr plog.LogRecord, raw map[string]any, observed time.Time) {
	ev := systemLogEvent(raw)
	lr.SetEventName(ev.str("eventType"))
	if t := ev.published(); !t.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(observed))
	sevText := ev.str("severity")
	lr.SetSeverityText(sevText)
	lr.SetSeverityNumber(systemLogSeverity(sevText))
	setPdataValue(lr.Body(), raw, 0)

	attrs := lr.Attributes()
	attrs.EnsureCapacity(24)
	attrs.PutStr(attrRecordKind, recordKindSystemLog)
	putStr(attrs, attrLogRecordUID, ev.uuid())
	putStr(attrs, attrUserID, ev.str("actor", "id"))
	putStr(attrs, attrUserName, ev.str("actor", "alternateId"))
	putStr(attrs, attrUserFullName, ev.str("actor", "displayName"))
	putStr(attrs, attrActorType, ev.str("actor", "type"))
	putStr(attrs, attrClientAddress, ev.str("client", "ipAddress"))
	putStr(attrs, attrUserAgent, ev.str("client", "userAgent", "rawUserAgent"))
	putStr(attrs, attrClientZone, ev.str("client", "zone"))
	putStr(attrs, attrGeoLocalityName, ev.str("client", "geographicalContext", "city"))
	putStr(attrs, attrClientGeoState, ev.str("client", "geographicalContext", "state"))
	putStr(attrs, attrClientGeoCountry, ev.str("client", "geographicalContext", "country"))
	putStr(attrs, attrGeoPostalCode, ev.str("client", "geographicalContext", "postalCode"))
	putDouble(attrs, attrGeoLat, ev.lookup("client", "geographicalContext", "geolocation", "lat"))
	putDouble(attrs, attrGeoLon, ev.lookup("client", "geographicalContext", "geolocation", "lon"))
	putStr(attrs, attrSessionID, ev.str("authenticationContext", "externalSessionId"))
	putStr(attrs, attrRootSessionID, ev.str("authenticationContext", "rootSessionId"))
	putStr(attrs, attrCredentialType, ev.str("authenticationContext", "credentialType"))
	putStr(attrs, attrOutcomeResult, ev.str("outcome", "result"))
	putStr(attrs, attrOutcomeReason, ev.str("outcome", "reason"))
	putStr(attrs, attrTransactionID, ev.str("transaction", "id"))
	putStr(attrs, attrTransactionType, ev.str("transaction", "type"))
	putStr(attrs, attrRequestAPITokenID, ev.str("transaction", "detail", "requestApiTokenId"))
	putStr(attrs, attrDisplayMessage, ev.str("displayMessage"))
	putStr(attrs, attrLegacyEventType, ev.str("legacyEventType"))
	putTargets(attrs, ev.lookup("target"))
	if b, ok := ev.lookup("securityContext", "isProxy").(bool); ok {
		attrs.PutBool(attrSecIsProxy, b)
	}
	if n, ok := ev.lookup("securityContext", "asNumber").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			attrs.PutInt(attrSecASNumber, i)
		}
	}
	putStr(attrs, attrSecASOrg, ev.str("securityContext", "asOrg"))
	putStr(attrs, attrSecISP, ev.str("securityContext", "isp"))
	putStr(attrs, attrSecDomain, ev.str("securityContext", "domain"))
}

// systemLogSeverity maps Okta's severity to the OTel severity number (unknown → unspecified).
func systemLogSeverity(s string) plog.SeverityNumber {
	switch s {
	case "DEBUG":
		return plog.SeverityNumberDebug
	case "INFO":
		return plog.SeverityNumberInfo
	case "WARN":
		return plog.SeverityNumberWarn
	case "ERROR":
		return plog.SeverityNumberError
	default:
		return plog.SeverityNumberUnspecified
	}
}

func putStr(attrs pcommon.Map, key, val string) {
	if val != "" {
		attrs.PutStr(key, val)
	}
}

// putDouble stores v as a double when it is a finite JSON number.
func putDouble(attrs pcommon.Map, key string, v any) {
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

// putTargets writes okta.target.ids and okta.target.types as string slices (same order,
// "" where a target lacks the field), skipped when the event has no targets.
func putTargets(attrs pcommon.Map, v any) {
	targets, ok := v.([]any)
	if !ok || len(targets) == 0 {
		return
	}
	ids := attrs.PutEmptySlice(attrTargetIDs)
	types := attrs.PutEmptySlice(attrTargetTypes)
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

// setPdataValue copies a decoded JSON value into dst, keeping its JSON type: objects become
// maps, arrays slices, integers int64, other numbers doubles (json.Number that fits neither is
// kept as its decimal string), null stays empty. Nesting deeper than maxSystemLogNestedDepth is
// stored as a string so that hostile input cannot exhaust the stack.
func setPdataValue(dst pcommon.Value, v any, depth int) {
	switch x := v.(type) {
	case nil:
		// empty value == JSON null
	case string:
		dst.SetStr(x)
	case bool:
		dst.SetBool(x)
	case json.Number:
		setPdataNumber(dst, x)
	case float64:
		dst.SetDouble(x)
	case int64:
		dst.SetInt(x)
	case int:
		dst.SetInt(int64(x))
	case map[string]any:
		if depth >= maxSystemLogNestedDepth {
			dst.SetStr(fmt.Sprint(x))
			return
		}
		m := dst.SetEmptyMap()
		m.EnsureCapacity(len(x))
		for k, item := range x {
			setPdataValue(m.PutEmpty(k), item, depth+1)
		}
	case []any:
		if depth >= maxSystemLogNestedDepth {
			dst.SetStr(fmt.Sprint(x))
			return
		}
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(x))
		for _, item := range x {
			setPdataValue(s.AppendEmpty(), item, depth+1)
		}
	default:
		dst.SetStr(fmt.Sprint(x))
	}
}

func setPdataNumber(dst pcommon.Value, n json.Number) {
	s := n.String()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		dst.SetInt(i)
		return
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
		dst.SetDouble(f)
		return
	}
	dst.SetStr(s)
}
