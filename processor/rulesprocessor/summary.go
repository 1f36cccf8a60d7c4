package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"fmt"
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// flush settles completed full syncs, evaluates the aggregate rules of settled orgs (emitting a
// finding when one starts failing), and sends one okta.compliance.summary record per posture
// rule and org with the number of resources currently failing it (0 included, so that a gauge
// built from it falls when resources are fixed or deleted).
func (p *rulesProcessor) flush(ctx context.Context) error {
	p.mu.Lock()
	ld, counts := p.buildFlush(p.now())
	p.mu.Unlock()
	p.tel.record(ctx, counts)
	if ld.LogRecordCount() == 0 {
		return nil
	}
	if err := p.next.ConsumeLogs(ctx, ld); err != nil {
		return fmt.Errorf("send compliance summary: %w", err)
	}
	return nil
}

// buildFlush builds the records of one flush; the caller holds p.mu.
func (p *rulesProcessor) buildFlush(now time.Time) (plog.Logs, batchCounts) {
	ld := plog.NewLogs()
	var counts batchCounts
	urls := make([]string, 0, len(p.state.orgs))
	for u := range p.state.orgs {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	ts := pcommon.NewTimestampFromTime(now)
	for _, u := range urls {
		o := p.state.orgs[u]
		o.settle(now, p.cfg.Summary.Interval)
		rl := ld.ResourceLogs().AppendEmpty()
		o.resource.CopyTo(rl.Resource())
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(scopeName)
		if o.settled {
			p.evaluateAggregates(o, sl.LogRecords(), ts, &counts)
		}
		for _, r := range p.postureRules {
			rec := sl.LogRecords().AppendEmpty()
			rec.SetTimestamp(ts)
			rec.SetObservedTimestamp(ts)
			rec.SetEventName(eventSummary)
			rec.SetSeverityNumber(plog.SeverityNumberInfo)
			a := rec.Attributes()
			a.PutStr(attrRecordKind, kindSummary)
			a.PutStr(attrRuleUUID, r.ID)
			a.PutStr(attrRuleName, r.Name)
			a.PutStr(attrRuleCategory, r.Category)
			a.PutStr(attrRuleRuleset, r.ruleset)
			a.PutStr(attrComplianceSeverity, r.severity.String())
			a.PutInt(attrFailingCount, int64(o.failingCount(r)))
			a.PutStr(attrLogRecordUID, recordUID(uidSummary, r.ID, u, timestampKey(ts)))
			rec.Body().SetStr(fmt.Sprintf("%s: %d failing", r.ID, o.failingCount(r)))
		}
	}
	return ld, counts
}

// evaluateAggregates updates the verdict of every aggregate rule of a settled org and appends a
// finding for each rule that starts failing.
func (p *rulesProcessor) evaluateAggregates(o *orgState, out plog.LogRecordSlice, ts pcommon.Timestamp, counts *batchCounts) {
	orgID := ""
	if v, ok := o.resource.Attributes().Get(attrOrgID); ok {
		orgID = v.Str()
	}
	orgURL := ""
	if v, ok := o.resource.Attributes().Get(attrOrgURL); ok {
		orgURL = v.Str()
	}
	for _, r := range p.postureRules {
		if r.aggregate == nil {
			continue
		}
		n, failing := o.evaluateAggregate(r)
		was := o.aggregateFailing[r]
		o.aggregateFailing[r] = failing
		if !failing || was {
			continue
		}
		counts.violations++
		if !p.cfg.EmitFindings {
			continue
		}
		counts.findings++
		f := out.AppendEmpty()
		f.SetTimestamp(ts)
		f.SetObservedTimestamp(ts)
		f.Attributes().EnsureCapacity(r.header.Len() + findingExtraAttrs)
		setFindingHeader(f, r)
		a := f.Attributes()
		a.PutStr(attrResourceType, "org")
		if orgID != "" {
			a.PutStr(attrResourceID, orgID)
		}
		a.PutInt(attrFindingCount, int64(n))
		if base := adminConsoleBase(orgURL); base != "" {
			a.PutStr(attrAdminConsoleURL, base+adminConsolePath(r.AppliesTo.firstResourceType(), "", func(string) string { return "" }, ""))
		}
		a.PutStr(attrLogRecordUID, recordUID(uidAggregateFinding, r.ID, orgURL, orgID, timestampKey(ts)))
		f.Body().SetStr(fmt.Sprintf("%s: org has %d matching %s records", r.Name, n, r.AppliesTo.firstResourceType()))
	}
}

func (a AppliesTo) firstResourceType() string {
	if len(a.ResourceTypes) == 0 {
		return ""
	}
	return a.ResourceTypes[0]
}
