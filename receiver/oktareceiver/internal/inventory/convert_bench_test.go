package inventory

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// BenchmarkAppendInventoryRecord converts one snapshot record of a user shaped like Okta's
// (the most numerous type): redaction, log.record.uid and the pdata body.
func BenchmarkAppendInventoryRecord(b *testing.B) {
	rec := benchUserSnapshot()
	now := pcommon.NewTimestampFromTime(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sl := plog.NewScopeLogs()
		appendInventoryRecord(sl, rec, now)
	}
}

// BenchmarkInventoryRecordUID computes the log.record.uid of one user snapshot record.
func BenchmarkInventoryRecordUID(b *testing.B) {
	rec := benchUserSnapshot()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = inventoryRecordUID(rec)
	}
}

// benchUserSnapshot is the snapshot record of benchUser 1.
func benchUserSnapshot() inventoryRecord {
	rec, _ := describe(string(resource.User), benchUser(1, "Engineer"), parentRef{}, "00o1")
	rec.event, rec.syncID = EventSnapshot, "0123456789abcdef"
	return rec
}
