package oktareceiver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// BenchmarkAppendInventoryRecord converts one snapshot record of a simulated user (the
// most numerous type): redaction, log.record.uid and the pdata body.
func BenchmarkAppendInventoryRecord(b *testing.B) {
	rec := benchUserSnapshot(b)
	now := pcommon.NewTimestampFromTime(goldenOrgNow)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sl := plog.NewScopeLogs()
		appendInventoryRecord(sl, rec, now)
	}
}

// BenchmarkInventoryRecordUID computes the log.record.uid of one user snapshot record.
func BenchmarkInventoryRecordUID(b *testing.B) {
	rec := benchUserSnapshot(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = inventoryRecordUID(rec)
	}
}

// benchUserSnapshot is the snapshot record of the first user the simulator lists.
func benchUserSnapshot(b *testing.B) inventoryRecord {
	b.Helper()
	_, url := startInvSim(b, nil)
	inv, _ := simInventory(b, url, oktasim.DefaultDemoToken, nil)
	user, err := inv.fetchObject(context.Background(), "/api/v1/users?limit=1")
	require.NoError(b, err)
	rec, _ := describe(resUser, user, parentRef{}, "00o1")
	rec.event, rec.syncID = eventInventorySnapshot, "0123456789abcdef"
	return rec
}
