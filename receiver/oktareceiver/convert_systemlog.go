package oktareceiver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Attribute keys of System Log records (ARCHITECTURE §4, GUIDE §7). Semantic conventions
// first; vendor keys under okta.* where no convention exists.
var (
	slAttrLogRecordUID    = string(semconv.LogRecordUIDKey)
	slAttrUserID          = string(semconv.UserIDKey)
	slAttrUserName        = string(semconv.UserNameKey)
	slAttrUserFullName    = string(semconv.UserFullNameKey)
	slAttrClientAddress   = string(semconv.ClientAddressKey)
	slAttrUserAgent       = string(semconv.UserAgentOriginalKey)
	slAttrGeoLocalityName = string(semconv.GeoLocalityNameKey)
	slAttrGeoLat          = string(semconv.GeoLocationLatKey)
	slAttrGeoLon          = string(semconv.GeoLocationLonKey)
	slAttrGeoPostalCode   = string(semconv.GeoPostalCodeKey)
	slAttrSessionID       = string(semconv.SessionIDKey)
)

const (
	slAttrRecordKind        = "okta.record.kind"
	slRecordKindSystemLog   = "system_log"
	slAttrActorType         = "okta.actor.type"
	slAttrOutcomeResult     = "okta.outcome.result"
	slAttrOutcomeReason     = "okta.outcome.reason"
	slAttrTransactionID     = "okta.transaction.id"
	slAttrTransactionType   = "okta.transaction.type"
	slAttrClientGeoCountry  = "okta.client.geo.country"
	slAttrClientGeoState    = "okta.client.geo.state"
	slAttrClientZone        = "okta.client.zone"
	slAttrTargetIDs         = "okta.target.ids"
	slAttrTargetTypes       = "okta.target.types"
	slAttrSecIsProxy        = "okta.security_context.is_proxy"
	slAttrSecASNumber       = "okta.security_context.as.number"
	slAttrSecASOrg          = "okta.security_context.as.org"
	slAttrSecISP            = "okta.security_context.isp"
	slAttrSecDomain         = "okta.security_context.domain"
	slAttrDisplayMessage    = "okta.event.display_message"
	slAttrLegacyEventType   = "okta.event.legacy_type"
	slAttrRootSessionID     = "okta.authentication.root_session_id"
	slAttrCredentialType    = "okta.authentication.credential_type"
	slAttrRequestAPITokenID = "okta.transaction.request_api_token_id"
	slOutcomeUnknown        = "UNKNOWN"
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
	return slOutcomeUnknown
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
	attrs.PutStr(slAttrRecordKind, slRecordKindSystemLog)
	putStr(attrs, slAttrLogRecordUID, ev.uuid())
	putStr(attrs, slAttrUserID, ev.str("actor", "id"))
	putStr(attrs, slAttrUserName, ev.str("actor", "alternateId"))
	putStr(attrs, slAttrUserFullName, ev.str("actor", "displayName"))
	putStr(attrs, slAttrActorType, ev.str("actor", "type"))
	putStr(attrs, slAttrClientAddress, ev.str("client", "ipAddress"))
	putStr(attrs, slAttrUserAgent, ev.str("client", "userAgent", "rawUserAgent"))
	putStr(attrs, slAttrClientZone, ev.str("client", "zone"))
	putStr(attrs, slAttrGeoLocalityName, ev.str("client", "geographicalContext", "city"))
	putStr(attrs, slAttrClientGeoState, ev.str("client", "geographicalContext", "state"))
	putStr(attrs, slAttrClientGeoCountry, ev.str("client", "geographicalContext", "country"))
	putStr(attrs, slAttrGeoPostalCode, ev.str("client", "geographicalContext", "postalCode"))
	putDouble(attrs, slAttrGeoLat, ev.lookup("client", "geographicalContext", "geolocation", "lat"))
	putDouble(attrs, slAttrGeoLon, ev.lookup("client", "geographicalContext", "geolocation", "lon"))
	putStr(attrs, slAttrSessionID, ev.str("authenticationContext", "externalSessionId"))
	putStr(attrs, slAttrRootSessionID, ev.str("authenticationContext", "rootSessionId"))
	putStr(attrs, slAttrCredentialType, ev.str("authenticationContext", "credentialType"))
	putStr(attrs, slAttrOutcomeResult, ev.str("outcome", "result"))
	putStr(attrs, slAttrOutcomeReason, ev.str("outcome", "reason"))
	putStr(attrs, slAttrTransactionID, ev.str("transaction", "id"))
	putStr(attrs, slAttrTransactionType, ev.str("transaction", "type"))
	putStr(attrs, slAttrRequestAPITokenID, ev.str("transaction", "detail", "requestApiTokenId"))
	putStr(attrs, slAttrDisplayMessage, ev.str("displayMessage"))
	putStr(attrs, slAttrLegacyEventType, ev.str("legacyEventType"))
	putTargets(attrs, ev.lookup("target"))
	if b, ok := ev.lookup("securityContext", "isProxy").(bool); ok {
		attrs.PutBool(slAttrSecIsProxy, b)
	}
	if n, ok := ev.lookup("securityContext", "asNumber").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			attrs.PutInt(slAttrSecASNumber, i)
		}
	}
	putStr(attrs, slAttrSecASOrg, ev.str("securityContext", "asOrg"))
	putStr(attrs, slAttrSecISP, ev.str("securityContext", "isp"))
	putStr(attrs, slAttrSecDomain, ev.str("securityContext", "domain"))
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
			setJSONString(dst, x)
			return
		}
		m := dst.SetEmptyMap()
		m.EnsureCapacity(len(x))
		for _, k := range sortedKeys(x) {
			setPdataValue(m.PutEmpty(k), x[k], depth+1)
		}
	case []any:
		if depth >= maxSystemLogNestedDepth {
			setJSONString(dst, x)
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

// setJSONString stores v re-encoded as JSON text (used below the nesting limit).
func setJSONString(dst pcommon.Value, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		dst.SetStr(fmt.Sprint(v))
		return
	}
	dst.SetStr(string(b))
}

// sortedKeys returns m's keys in order, so that bodies are deterministic (goldens, diffs).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
