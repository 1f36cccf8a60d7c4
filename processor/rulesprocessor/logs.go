package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"fmt"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
)

// batch carries the per-batch scratch state of processLogs.
type batch struct {
	ctx    context.Context
	now    time.Time
	counts batchCounts
	// failed is reused for every record: the record rules the record violates.
	failed []*compiledRule
	// consoleBases memoises the Admin Console origin per org URL.
	consoleBases map[string]string
	// findings collects the findings of the current ResourceLogs (nil until the first one).
	findings plog.LogRecordSlice
	hasFind  bool
}

// processLogs evaluates the applicable rules on every record of ld, tags the records, updates the
// posture state and threshold windows, and appends the findings to each ResourceLogs.
func (p *rulesProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := &batch{ctx: ctx, now: p.now()}
	defer func() { p.tel.record(ctx, b.counts) }()
	for _, rl := range ld.ResourceLogs().All() {
		var org *orgState
		orgURL, _ := rl.Resource().Attributes().Get(attrOrgURL)
		b.hasFind = false
		b.findings = plog.NewLogRecordSlice()
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				keys, ok := recordKeysOf(lr)
				if !ok {
					continue
				}
				if keys.kind == kindInventory && org == nil {
					org = p.state.org(orgURL.Str(), rl.Resource())
				}
				if err := p.evalRecord(b, rl, sl, lr, keys, org); err != nil {
					return ld, err
				}
			}
		}
		if b.hasFind {
			fsl := rl.ScopeLogs().AppendEmpty()
			fsl.Scope().SetName(scopeName)
			b.findings.MoveAndAppendTo(fsl.LogRecords())
		}
	}
	return ld, nil
}

// recordKeysOf reads the dispatch keys of a record and the attributes the processor needs from
// inventory records (in one pass over the attributes; a record of another kind only has its
// okta.record.kind read); ok is false for records the processor never evaluates (its own
// findings and summaries).
func recordKeysOf(lr plog.LogRecord) (recordKeys, bool) {
	attrs := lr.Attributes()
	// The receiver writes okta.record.kind first: one comparison settles every record but an
	// inventory record (or one without a kind), whose other attributes are read below.
	if v, ok := attrs.Get(attrRecordKind); ok {
		switch kind := v.Str(); kind {
		case kindFinding, kindSummary:
			return recordKeys{kind: kind}, false
		case kindInventory, "":
		default:
			return recordKeys{kind: kind, eventName: lr.EventName()}, true
		}
	}
	var k recordKeys
	var hasResourceType bool
	var policyAttr string
	for key, v := range attrs.All() {
		switch key {
		case attrRecordKind:
			k.kind = v.Str()
		case attrResourceType:
			k.resourceType, hasResourceType = v.Str(), true
		case attrPolicyType:
			policyAttr = v.Str()
		case attrResourceID:
			k.resourceID = v.Str()
		case attrSyncID:
			k.syncID = v.Str()
		case attrChangeType:
			k.changeType = v.Str()
		}
	}
	switch k.kind {
	case kindFinding, kindSummary:
		return recordKeys{kind: k.kind}, false
	case "":
		k.kind = kindSystemLog
		if hasResourceType {
			k.kind = kindInventory
		}
	}
	k.eventName = lr.EventName()
	if k.kind != kindInventory {
		return recordKeys{kind: k.kind, eventName: k.eventName}, true
	}
	if k.resourceType == "policy" || k.resourceType == "policy_rule" {
		k.policyType = policyAttr
		if k.policyType == "" {
			k.policyType = bodyPolicyType(lr.Body(), k.resourceType)
		}
	}
	return k, true
}

// bodyPolicyType is the policy type of a policy or policy rule record without an okta.policy.type
// attribute: the body's type (a SIGN_ON rule belongs to an OKTA_SIGN_ON policy).
func bodyPolicyType(body pcommon.Value, resourceType string) string {
	if body.Type() != pcommon.ValueTypeMap {
		return ""
	}
	t, ok := body.Map().Get("type")
	if !ok {
		return ""
	}
	if resourceType == "policy_rule" && t.Str() == "SIGN_ON" {
		return "OKTA_SIGN_ON"
	}
	return t.Str()
}

// evalRecord evaluates the candidate rules of one record.
func (p *rulesProcessor) evalRecord(b *batch, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord, keys recordKeys, org *orgState) error {
	var resKey string
	if keys.kind == kindInventory {
		resKey = keys.resourceType + "/" + keys.resourceID
		if keys.eventName == eventSnapshot {
			org.observeSnapshot(keys.syncID, b.now)
		}
		if keys.changeType == changeDeleted {
			for _, r := range p.candidates.rules(keys) {
				if r.isPosture() {
					org.set(r, resKey, false)
				}
			}
			return nil
		}
	}

	rec := p.rec
	rec.start(b.ctx, rl, sl, lr)
	defer rec.done()
	b.failed = b.failed[:0]
	matched := false
	for _, r := range p.candidates.rules(keys) {
		b.counts.evaluations++
		applies, violated, err := p.evalRule(b, rec, r)
		if err != nil {
			return err
		}
		if keys.kind == kindInventory && r.isPosture() && r.threshold == nil {
			org.set(r, resKey, applies && violated)
		}
		if !applies || r.aggregate != nil {
			continue
		}
		if r.threshold != nil {
			if violated {
				p.observeThreshold(b, rec, r, rl, lr, keys)
			}
			continue
		}
		matched = true
		if violated {
			b.failed = append(b.failed, r)
			b.counts.violations++
			if p.cfg.EmitFindings {
				p.appendFinding(b, r, rl.Resource(), lr, keys, nil)
			}
		}
	}
	if matched && p.cfg.TagRecords {
		tagRecord(lr, b.failed)
	}
	return nil
}

// evalRule evaluates match then condition. applies is the match result; violated the condition's.
// Evaluation errors follow error_mode: propagate returns them, ignore/silent count them and treat
// the rule as not applying (ignore also logs at debug level, never per record at higher levels).
func (p *rulesProcessor) evalRule(b *batch, rec *recordEval, r *compiledRule) (applies, violated bool, err error) {
	conds := p.rules.conditions
	if r.match != noCondition {
		ok, err := rec.eval(conds, r.match)
		if err != nil {
			return false, false, p.evalError(b, r, "match", err)
		}
		if !ok {
			return false, false, nil
		}
	}
	v, err := rec.eval(conds, r.condition)
	if err != nil {
		return false, false, p.evalError(b, r, "condition", err)
	}
	return true, v, nil
}

func (p *rulesProcessor) evalError(b *batch, r *compiledRule, what string, err error) error {
	b.counts.errors++
	switch p.cfg.ErrorMode {
	case ottl.PropagateError:
		return fmt.Errorf("rule %q %s: %w", r.ID, what, err)
	case ottl.IgnoreError:
		if ce := p.logger.Check(zap.DebugLevel, "rule evaluation failed"); ce != nil {
			ce.Write(zap.String("rule", r.ID), zap.String("part", what), zap.Error(err))
		}
	}
	return nil
}

// tagRecord writes the compliance tags of an evaluated record.
func tagRecord(lr plog.LogRecord, failed []*compiledRule) {
	attrs := lr.Attributes()
	if len(failed) == 0 {
		attrs.RemoveIf(isFailureTag) // one pass for both failure tags
		attrs.PutStr(attrComplianceStatus, statusPass)
		return
	}
	attrs.PutStr(attrComplianceStatus, statusFail)
	ids := attrs.PutEmptySlice(attrComplianceFailedRules)
	ids.EnsureCapacity(len(failed))
	maxSev := severityNone
	for _, r := range failed {
		ids.AppendEmpty().SetStr(r.ID)
		maxSev = max(maxSev, r.severity)
	}
	attrs.PutStr(attrComplianceMaxSeverity, maxSev.String())
}

// isFailureTag reports whether k is a tag that only failing records carry.
func isFailureTag(k string, _ pcommon.Value) bool {
	return k == attrComplianceFailedRules || k == attrComplianceMaxSeverity
}

// observeThreshold counts one matching event for a threshold rule and emits a finding when the
// window reaches the count.
func (p *rulesProcessor) observeThreshold(b *batch, rec *recordEval, r *compiledRule, rl plog.ResourceLogs, lr plog.LogRecord, keys recordKeys) {
	key := groupKey(rec, r, lr)
	t := lr.Timestamp().AsTime()
	if lr.Timestamp() == 0 {
		t = b.now
	}
	fired, n := p.windows[r].add(key, t)
	if !fired {
		return
	}
	b.counts.violations++
	if p.cfg.EmitFindings {
		p.appendFinding(b, r, rl.Resource(), lr, keys, &thresholdHit{groupKey: key, count: n})
	}
}

// groupKey evaluates the group_by of a threshold rule on a record ("" when absent).
func groupKey(rec *recordEval, r *compiledRule, lr plog.LogRecord) string {
	spec := r.threshold
	switch {
	case spec.groupExpr != nil:
		return rec.groupValue(spec.groupExpr)
	case spec.GroupBy != "":
		v, ok := lr.Attributes().Get(spec.GroupBy)
		if !ok {
			return ""
		}
		return v.AsString()
	}
	return ""
}
