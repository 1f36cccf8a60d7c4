package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

// scopeName is the instrumentation scope of the records this processor creates.
var scopeName = metadata.ScopeName

// findingExtraAttrs is room for the attributes a finding gets beside its rule's header (resource
// or event attributes, console link, record id), reserved up front so that they are appended
// without growing the attribute slice several times.
const findingExtraAttrs = 14

// thresholdHit describes the window that made a threshold rule fire.
type thresholdHit struct {
	groupKey string
	count    int
}

// appendFinding adds one okta.compliance.finding record for rule r violated by src. Everything
// the finding carries is read first, so that its attributes are allocated once at their final
// size.
func (p *rulesProcessor) appendFinding(b *batch, r *compiledRule, res pcommon.Resource, src plog.LogRecord, keys recordKeys, hit *thresholdHit) {
	b.hasFind = true
	b.counts.findings++
	ts := src.Timestamp()
	if ts == 0 {
		ts = pcommon.NewTimestampFromTime(b.now)
	}
	from := sourceRecord{attrs: src.Attributes(), keys: keys}
	orgURL := ""
	if v, ok := res.Attributes().Get(attrOrgURL); ok {
		orgURL = v.Str()
	}
	base := b.consoleBase(orgURL)
	copiedKeys := copiedEventAttrs[:]
	if keys.kind == kindInventory {
		copiedKeys = copiedResourceAttrs[:]
	}
	var copied [maxCopiedAttrs]pcommon.Value
	nCopied := pickAttrs(from.attrs, copiedKeys, copied[:len(copiedKeys)])
	size := r.header.Len() + nCopied + 1 // log.record.uid
	if base != "" {
		size++
	}
	if hit != nil {
		size += 2
	}
	var subject, path, uid, event string
	if keys.kind == kindInventory {
		resID := from.get(attrResourceID)
		subject = keys.resourceType + " " + firstNonEmpty(from.get(attrResourceName), resID)
		path = adminConsolePath(keys.resourceType, resID, from.get, appNameOf(src, keys))
		uid = recordUID(uidFinding, r.ID, kindInventory, keys.resourceType, resID, src.EventName(),
			from.get(attrChangeType), from.get(attrLastUpdated), from.get(attrLogRecordUID), timestampKey(ts))
	} else {
		size++ // okta.event.type
		event = eventUUIDOf(src)
		idEvent := event
		if event != "" {
			size++
		} else {
			// An event without a uuid is identified by its content.
			idEvent = src.Body().AsString()
		}
		actor := from.get(attrActorID)
		subject = keys.eventName + " by " + firstNonEmpty(from.get(attrActorName), actor, "unknown actor")
		if actor != "" {
			path = adminConsolePath("user", actor, from.get, "")
		} else {
			path = "/report/system_log_2"
		}
		kind := uidFinding
		if hit != nil {
			kind = uidThresholdFinding
		}
		uid = recordUID(kind, r.ID, kindSystemLog, keys.eventName, idEvent, timestampKey(ts))
	}

	f := b.findings.AppendEmpty()
	f.SetTimestamp(ts)
	f.SetObservedTimestamp(pcommon.NewTimestampFromTime(b.now))
	attrs := f.Attributes()
	attrs.EnsureCapacity(size)
	setFindingHeader(f, r)
	if keys.kind != kindInventory {
		attrs.PutStr(attrFindingSourceType, keys.eventName)
		if event != "" {
			attrs.PutStr(attrEventUUID, event)
		}
	}
	for i, v := range copied[:len(copiedKeys)] {
		if v != (pcommon.Value{}) {
			v.CopyTo(attrs.PutEmpty(copiedKeys[i]))
		}
	}
	if hit != nil {
		attrs.PutStr(attrFindingGroupKey, hit.groupKey)
		attrs.PutInt(attrFindingCount, int64(hit.count))
		subject += " (" + strconv.Itoa(hit.count) + " events for " + firstNonEmpty(hit.groupKey, "all") + ")"
	}
	if base != "" {
		attrs.PutStr(attrAdminConsoleURL, base+path)
	}
	attrs.PutStr(attrLogRecordUID, uid)
	f.Body().SetStr(r.Name + ": " + subject)
}

// sourceRecord reads the attributes of the record a finding is about.
type sourceRecord struct {
	attrs pcommon.Map
	keys  recordKeys
}

// get returns attribute k of the source record as a string ("" when absent); the policy type
// falls back to the one the dispatch index read from the body.
func (s sourceRecord) get(k string) string {
	if v, ok := s.attrs.Get(k); ok {
		return v.AsString()
	}
	if k == attrPolicyType {
		return s.keys.policyType
	}
	return ""
}

// maxCopiedAttrs is the length of the longer of copiedResourceAttrs and copiedEventAttrs.
const maxCopiedAttrs = max(len(copiedResourceAttrs), len(copiedEventAttrs))

// pickAttrs sets dst[i] to the attribute keys[i] of from (the zero Value when absent), in one
// pass over from, and returns how many it found.
func pickAttrs(from pcommon.Map, keys []string, dst []pcommon.Value) int {
	n := 0
	for k, v := range from.All() {
		for i, want := range keys {
			if k == want && dst[i] == (pcommon.Value{}) {
				dst[i] = v
				n++
				break
			}
		}
	}
	return n
}

// eventUUIDOf is the uuid of a System Log record: its log.record.uid (the receiver sets it to the
// event uuid), or the body's uuid when the attribute is missing.
func eventUUIDOf(lr plog.LogRecord) string {
	if v, ok := lr.Attributes().Get(attrLogRecordUID); ok && v.Str() != "" {
		return v.Str()
	}
	if lr.Body().Type() != pcommon.ValueTypeMap {
		return ""
	}
	if v, ok := lr.Body().Map().Get("uuid"); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// newFindingHeader builds the attributes every finding of rule r starts with; it is built once
// per rule and copied onto each finding.
func newFindingHeader(r *compiledRule) pcommon.Map {
	attrs := pcommon.NewMap()
	attrs.EnsureCapacity(12)
	attrs.PutStr(attrRecordKind, kindFinding)
	attrs.PutStr(attrRuleUUID, r.ID)
	attrs.PutStr(attrRuleName, r.Name)
	attrs.PutStr(attrRuleCategory, r.Category)
	attrs.PutStr(attrRuleRuleset, r.ruleset)
	if r.reference != "" {
		attrs.PutStr(attrRuleReference, r.reference)
	}
	if len(r.References) > 1 {
		refs := attrs.PutEmptySlice(attrComplianceReferences)
		for _, ref := range r.References {
			refs.AppendEmpty().SetStr(ref)
		}
	}
	attrs.PutStr(attrComplianceSeverity, r.severity.String())
	attrs.PutStr(attrComplianceStatus, statusFail)
	if r.Remediation != "" {
		attrs.PutStr(attrComplianceRemediation, r.Remediation)
	}
	return attrs
}

// setFindingHeader sets the fields every finding and aggregate finding of rule r share. The
// finding's attributes must be empty: the rule's header replaces them.
func setFindingHeader(f plog.LogRecord, r *compiledRule) {
	f.SetEventName(eventFinding)
	f.SetSeverityNumber(r.severity.logSeverity())
	f.SetSeverityText(r.severity.String())
	r.header.CopyTo(f.Attributes())
}

// appNameOf returns the catalog name of an application record (needed in its console URL).
func appNameOf(src plog.LogRecord, keys recordKeys) string {
	if keys.resourceType != "application" || src.Body().Type() != pcommon.ValueTypeMap {
		return ""
	}
	if v, ok := src.Body().Map().Get("name"); ok {
		return v.Str()
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// consoleBase memoises adminConsoleBase per org URL for the batch (a batch has one or a few orgs).
func (b *batch) consoleBase(orgURL string) string {
	if b.consoleBases == nil {
		b.consoleBases = map[string]string{}
	}
	base, ok := b.consoleBases[orgURL]
	if !ok {
		base = adminConsoleBase(orgURL)
		b.consoleBases[orgURL] = base
	}
	return base
}
