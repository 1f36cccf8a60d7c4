package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

// scopeName is the instrumentation scope of the records this processor creates.
var scopeName = metadata.ScopeName

// thresholdHit describes the window that made a threshold rule fire.
type thresholdHit struct {
	groupKey string
	count    int
}

// appendFinding adds one okta.compliance.finding record for rule r violated by src.
func (p *rulesProcessor) appendFinding(b *batch, r *compiledRule, res pcommon.Resource, src plog.LogRecord, keys recordKeys, hit *thresholdHit) {
	b.hasFind = true
	b.counts.findings++
	f := b.findings.AppendEmpty()
	ts := src.Timestamp()
	if ts == 0 {
		ts = pcommon.NewTimestampFromTime(b.now)
	}
	f.SetTimestamp(ts)
	f.SetObservedTimestamp(pcommon.NewTimestampFromTime(b.now))
	fillFindingHeader(f, r)
	attrs := f.Attributes()
	srcAttrs := src.Attributes()
	get := func(k string) string {
		if v, ok := srcAttrs.Get(k); ok {
			return v.AsString()
		}
		if k == attrPolicyType {
			return keys.policyType
		}
		return ""
	}
	orgURL := ""
	if v, ok := res.Attributes().Get(attrOrgURL); ok {
		orgURL = v.Str()
	}
	subject := ""
	var path string
	if keys.kind == kindInventory {
		for _, k := range copiedResourceAttrs {
			if v, ok := srcAttrs.Get(k); ok {
				v.CopyTo(attrs.PutEmpty(k))
			}
		}
		subject = keys.resourceType + " " + firstNonEmpty(get(attrResourceName), get(attrResourceID))
		path = adminConsolePath(keys.resourceType, get(attrResourceID), get, appNameOf(src, keys))
	} else {
		attrs.PutStr(attrFindingSourceType, keys.eventName)
		if uid := get(attrLogRecordUID); uid != "" {
			attrs.PutStr(attrFindingSourceEvent, uid)
		}
		for _, k := range copiedEventAttrs {
			if v, ok := srcAttrs.Get(k); ok {
				v.CopyTo(attrs.PutEmpty(k))
			}
		}
		subject = keys.eventName + " by " + firstNonEmpty(get(attrActorName), get(attrActorID), "unknown actor")
		if actor := get(attrActorID); actor != "" {
			path = adminConsolePath("user", actor, get, "")
		} else {
			path = "/report/system_log_2"
		}
	}
	if hit != nil {
		attrs.PutStr(attrFindingGroupKey, hit.groupKey)
		attrs.PutInt(attrFindingCount, int64(hit.count))
		subject += " (" + strconv.Itoa(hit.count) + " events for " + firstNonEmpty(hit.groupKey, "all") + ")"
	}
	if base := b.consoleBase(orgURL); base != "" {
		attrs.PutStr(attrAdminConsoleURL, base+path)
	}
	attrs.PutStr(attrLogRecordUID, findingUID(r.ID, keys.resourceType, get(attrResourceID), get(attrLastUpdated), get(attrLogRecordUID), ts))
	f.Body().SetStr(r.Name + ": " + subject)
}

// fillFindingHeader sets the fields every finding and aggregate finding share.
func fillFindingHeader(f plog.LogRecord, r *compiledRule) {
	f.SetEventName(eventFinding)
	f.SetSeverityNumber(r.severity.logSeverity())
	f.SetSeverityText(r.severity.String())
	attrs := f.Attributes()
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

// findingUID is a deterministic id: the same violation of the same object version (or event)
// gets the same log.record.uid, so backends can deduplicate re-sent findings.
func findingUID(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			h.Write([]byte(v))
		case pcommon.Timestamp:
			h.Write([]byte(strconv.FormatUint(uint64(v), 10)))
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
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
