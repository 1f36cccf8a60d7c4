package rulesprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestTagRecordReplacesEarlierTags tags one record as failing, then as passing, then as failing
// again: each time the record carries exactly the tags of its last evaluation, and its other
// attributes are kept.
func TestTagRecordReplacesEarlierTags(t *testing.T) {
	lr := plog.NewLogRecord()
	lr.Attributes().PutStr(attrRecordKind, kindSystemLog)
	lr.Attributes().PutStr(attrActorID, "00u1")
	high := &compiledRule{RuleConfig: RuleConfig{ID: "R-HIGH"}, severity: severityHigh}
	low := &compiledRule{RuleConfig: RuleConfig{ID: "R-LOW"}, severity: severityLow}

	tagRecord(lr, []*compiledRule{low, high})
	assert.Equal(t, map[string]any{
		attrRecordKind: kindSystemLog, attrActorID: "00u1", attrComplianceStatus: statusFail,
		attrComplianceFailedRules: []any{"R-LOW", "R-HIGH"}, attrComplianceMaxSeverity: "high",
	}, lr.Attributes().AsRaw())

	tagRecord(lr, nil)
	assert.Equal(t, map[string]any{attrRecordKind: kindSystemLog, attrActorID: "00u1", attrComplianceStatus: statusPass}, lr.Attributes().AsRaw())

	tagRecord(lr, []*compiledRule{low})
	assert.Equal(t, map[string]any{
		attrRecordKind: kindSystemLog, attrActorID: "00u1", attrComplianceStatus: statusFail,
		attrComplianceFailedRules: []any{"R-LOW"}, attrComplianceMaxSeverity: "low",
	}, lr.Attributes().AsRaw())
}
