package systemlog

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// Attribute keys of System Log records. Semantic conventions
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
)

// errNotJSONArray is returned when a System Log page is not a JSON array.
var errNotJSONArray = errors.New("system log page is not a JSON array")

// errTrailingData is returned when non-whitespace follows the page's JSON array.
var errTrailingData = errors.New("trailing data after the JSON array")

// Batch is a decoded System Log page (or event hook delivery): one plog.Logs with one
// resource and one scope holding a record per LogEvent in source order, and the facts the
// delivery needs about each record (facts[i] describes record i). The resource attributes are
// filled at delivery. A batch is handed downstream once: do not use it after deliver.
type Batch struct {
	logs  plog.Logs
	facts []systemLogFacts
	// refs, when not nil, are the eventRefs of the records computed ahead of the
	// delivery (refs[i] describes record i), so that the poller builds them while the
	// previous page is being delivered; nil: deliver computes them.
	refs []EventRef
}

// systemLogFacts are the fields of one LogEvent that dedupe, checkpoint and stats need.
type systemLogFacts struct {
	uuid      string    // "" when absent: the event cannot be de-duplicated
	published time.Time // zero when absent or unparsable
	outcome   string    // outcome.result, "UNKNOWN" when absent
}

func newBatch(capacity int) *Batch {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	sl.LogRecords().EnsureCapacity(capacity)
	return &Batch{logs: ld, facts: make([]systemLogFacts, 0, capacity)}
}

// Len is the number of events (records) in the batch.
func (b *Batch) Len() int { return len(b.facts) }

// Logs is the batch's records (one resource, one scope). Reading them is fine; handing them
// to a consumer is the delivery's job.
func (b *Batch) Logs() plog.Logs { return b.logs }

// records are the batch's log records, one per event.
func (b *Batch) records() plog.LogRecordSlice {
	return b.logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
}

// emptyLike returns new logs with the batch's resource and scope and no records, and their
// record slice, sized for capacity records.
func (b *Batch) emptyLike(capacity int) (plog.Logs, plog.LogRecordSlice) {
	src := b.logs.ResourceLogs().At(0)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	src.Resource().CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	src.ScopeLogs().At(0).Scope().CopyTo(sl.Scope())
	sl.LogRecords().EnsureCapacity(capacity)
	return ld, sl.LogRecords()
}

// keepOnly removes the records (and facts) for which keep(i) is false, preserving order.
func (b *Batch) keepOnly(keep []bool) {
	i := 0
	b.records().RemoveIf(func(plog.LogRecord) bool {
		drop := !keep[i]
		i++
		return drop
	})
	facts := b.facts[:0]
	for i, f := range b.facts {
		if keep[i] {
			facts = append(facts, f)
		}
	}
	b.facts = facts
	if b.refs != nil {
		refs := b.refs[:0]
		for i, ref := range b.refs {
			if keep[i] {
				refs = append(refs, ref)
			}
		}
		b.refs = refs
	}
}

// DecodePage decodes a GET /api/v1/logs body (a JSON array of LogEvent objects) and
// converts it in the same pass: each event's JSON is written straight into its record's body
// (pageDecoder) and the attributes are read from that body. observed is the records'
// ObservedTimestamp. Any syntax error, a truncated body, a non-object element or trailing data
// is an error (and no batch): the caller retries the same cursor rather than skipping events.
// The batch shares no memory with body: the caller may reuse it.
func DecodePage(body []byte, observed time.Time) (*Batch, error) {
	d := getPageDecoder(body)
	defer putPageDecoder(d)
	batch, err := d.page(observed, len(body))
	if err != nil {
		return nil, err
	}
	return batch, nil
}

// logEventFields reads typed fields of a decoded LogEvent body (or of one of its objects).
// The zero value is an absent object: every read returns "absent".
type logEventFields struct {
	m  pcommon.Map
	ok bool
}

func (f logEventFields) get(key string) (pcommon.Value, bool) {
	if !f.ok {
		return pcommon.Value{}, false
	}
	return f.m.Get(key)
}

// str returns the string at key ("" when absent, null or not a string; Okta's literal "null"
// string, seen in client.zone, counts as absent).
func (f logEventFields) text(key string) string {
	return valueStr(f.get(key))
}

// obj returns the object at key (absent when it is missing or not an object).
func (f logEventFields) obj(key string) logEventFields {
	return valueObj(f.get(key))
}

func valueStr(v pcommon.Value, ok bool) string {
	if !ok || v.Type() != pcommon.ValueTypeStr {
		return ""
	}
	if s := v.Str(); s != "null" {
		return s
	}
	return ""
}

func valueObj(v pcommon.Value, ok bool) logEventFields {
	if !ok || v.Type() != pcommon.ValueTypeMap {
		return logEventFields{}
	}
	return logEventFields{m: v.Map(), ok: true}
}

// fillSystemLogRecord maps one LogEvent, already decoded into body (the record's Body), to the
// record's other fields and attributes (the README's "System Log record mapping") and returns its facts.
func fillSystemLogRecord(lr plog.LogRecord, body pcommon.Map, observed pcommon.Timestamp) systemLogFacts {
	// One pass over the top level (the biggest map) instead of a lookup per field.
	var uuid, published, eventType, severity, displayMessage, legacyType string
	var actor, client, authn, outcome, transaction, security logEventFields
	var target pcommon.Value
	hasTarget := false
	for k, v := range body.All() {
		switch k {
		case "uuid":
			uuid = valueStr(v, true)
		case "published":
			published = valueStr(v, true)
		case "eventType":
			eventType = valueStr(v, true)
		case "severity":
			severity = valueStr(v, true)
		case "displayMessage":
			displayMessage = valueStr(v, true)
		case "legacyEventType":
			legacyType = valueStr(v, true)
		case "actor":
			actor = valueObj(v, true)
		case "client":
			client = valueObj(v, true)
		case "authenticationContext":
			authn = valueObj(v, true)
		case "outcome":
			outcome = valueObj(v, true)
		case "transaction":
			transaction = valueObj(v, true)
		case "securityContext":
			security = valueObj(v, true)
		case "target":
			target, hasTarget = v, true
		}
	}

	facts := systemLogFacts{uuid: uuid, outcome: slOutcomeUnknown}
	lr.SetEventName(eventType)
	if t, ok := parsePublished(published); ok {
		facts.published = t
		lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
	}
	lr.SetObservedTimestamp(observed)
	lr.SetSeverityText(severity)
	lr.SetSeverityNumber(systemLogSeverity(severity))

	// Collect first, then size the attribute map exactly once (it is the biggest map).
	var list attrList
	list.putStr(slAttrLogRecordUID, uuid)
	list.putStr(slAttrUserID, actor.text("id"))
	list.putStr(slAttrUserName, actor.text("alternateId"))
	list.putStr(slAttrUserFullName, actor.text("displayName"))
	list.putStr(slAttrActorType, actor.text("type"))
	list.putStr(slAttrClientAddress, client.text("ipAddress"))
	list.putStr(slAttrUserAgent, client.obj("userAgent").text("rawUserAgent"))
	list.putStr(slAttrClientZone, client.text("zone"))
	geo := client.obj("geographicalContext")
	list.putStr(slAttrGeoLocalityName, geo.text("city"))
	list.putStr(slAttrClientGeoState, geo.text("state"))
	list.putStr(slAttrClientGeoCountry, geo.text("country"))
	list.putStr(slAttrGeoPostalCode, geo.text("postalCode"))
	location := geo.obj("geolocation")
	list.number(slAttrGeoLat, location, "lat")
	list.number(slAttrGeoLon, location, "lon")
	list.putStr(slAttrSessionID, authn.text("externalSessionId"))
	list.putStr(slAttrRootSessionID, authn.text("rootSessionId"))
	list.putStr(slAttrCredentialType, authn.text("credentialType"))
	if r := outcome.text("result"); r != "" {
		list.putStr(slAttrOutcomeResult, r)
		facts.outcome = r
	}
	list.putStr(slAttrOutcomeReason, outcome.text("reason"))
	list.putStr(slAttrTransactionID, transaction.text("id"))
	list.putStr(slAttrTransactionType, transaction.text("type"))
	list.putStr(slAttrRequestAPITokenID, transaction.obj("detail").text("requestApiTokenId"))
	list.putStr(slAttrDisplayMessage, displayMessage)
	list.putStr(slAttrLegacyEventType, legacyType)
	if hasTarget && target.Type() == pcommon.ValueTypeSlice && target.Slice().Len() > 0 {
		list.add(attrEntry{key: slAttrTargetIDs, kind: attrTargets, v: target})
	}
	if v, ok := security.get("isProxy"); ok && v.Type() == pcommon.ValueTypeBool {
		list.add(attrEntry{key: slAttrSecIsProxy, kind: attrBool, b: v.Bool()})
	}
	// The body holds an int exactly when the JSON number is an integer that fits int64.
	if v, ok := security.get("asNumber"); ok && v.Type() == pcommon.ValueTypeInt {
		list.add(attrEntry{key: slAttrSecASNumber, kind: attrInt, i: v.Int()})
	}
	list.putStr(slAttrSecASOrg, security.text("asOrg"))
	list.putStr(slAttrSecISP, security.text("isp"))
	list.putStr(slAttrSecDomain, security.text("domain"))
	list.putInto(lr.Attributes())
	return facts
}

// parsePublished parses Okta's `published` (RFC 3339). Absent, unparsable and the zero time
// all mean "no timestamp".
func parsePublished(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() {
		return time.Time{}, false
	}
	return t, true
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

// attrKind is the type of an attrEntry.
type attrKind uint8

const (
	attrStr attrKind = iota
	attrDouble
	attrInt
	attrBool
	attrTargets // okta.target.ids + okta.target.types from the target array in v
)

// attrEntry is one attribute (two for attrTargets) waiting to be written.
type attrEntry struct {
	key  string
	kind attrKind
	s    string
	f    float64
	i    int64
	b    bool
	v    pcommon.Value
}

// attrList collects the attributes of one record on the stack (a LogEvent has at most 32).
type attrList struct {
	entries [32]attrEntry
	n       int
	count   int // attributes, counting attrTargets as two
}

func (l *attrList) add(e attrEntry) {
	if l.n == len(l.entries) {
		return // cannot happen: fillSystemLogRecord adds at most 31 entries
	}
	l.entries[l.n] = e
	l.n++
	l.count++
	if e.kind == attrTargets {
		l.count++
	}
}

// str adds a string attribute unless val is empty.
func (l *attrList) putStr(key, val string) {
	if val != "" {
		l.add(attrEntry{key: key, s: val})
	}
}

// number adds obj[field] as a double when the body holds an int or a double there (a number
// too large for float64 was kept as text and is skipped).
func (l *attrList) number(key string, obj logEventFields, field string) {
	v, ok := obj.get(field)
	if !ok {
		return
	}
	switch v.Type() {
	case pcommon.ValueTypeInt:
		l.add(attrEntry{key: key, kind: attrDouble, f: float64(v.Int())})
	case pcommon.ValueTypeDouble:
		l.add(attrEntry{key: key, kind: attrDouble, f: v.Double()})
	}
}

// putInto writes okta.record.kind and the collected attributes, in order, into attrs.
func (l *attrList) putInto(attrs pcommon.Map) {
	attrs.EnsureCapacity(1 + l.count)
	attrs.PutStr(slAttrRecordKind, slRecordKindSystemLog)
	for _, e := range l.entries[:l.n] {
		switch e.kind {
		case attrStr:
			attrs.PutStr(e.key, e.s)
		case attrDouble:
			attrs.PutDouble(e.key, e.f)
		case attrInt:
			attrs.PutInt(e.key, e.i)
		case attrBool:
			attrs.PutBool(e.key, e.b)
		case attrTargets:
			putTargets(attrs, e.v.Slice())
		}
	}
}

// putTargets writes okta.target.ids and okta.target.types as string slices (same order,
// "" where a target lacks the field or is not an object). Unlike other attributes, a literal
// "null" id or type is kept as is.
func putTargets(attrs pcommon.Map, targets pcommon.Slice) {
	ids := attrs.PutEmptySlice(slAttrTargetIDs)
	types := attrs.PutEmptySlice(slAttrTargetTypes)
	ids.EnsureCapacity(targets.Len())
	types.EnsureCapacity(targets.Len())
	for i := 0; i < targets.Len(); i++ {
		var id, typ string
		if t := targets.At(i); t.Type() == pcommon.ValueTypeMap {
			if v, ok := t.Map().Get("id"); ok && v.Type() == pcommon.ValueTypeStr {
				id = v.Str()
			}
			if v, ok := t.Map().Get("type"); ok && v.Type() == pcommon.ValueTypeStr {
				typ = v.Str()
			}
		}
		ids.AppendEmpty().SetStr(id)
		types.AppendEmpty().SetStr(typ)
	}
}
