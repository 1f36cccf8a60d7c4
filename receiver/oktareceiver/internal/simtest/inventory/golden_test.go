package inventory_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// -update rewrites testdata/golden/<type>.yaml from the current output (run once, review
// the diff, commit). golden.WriteLogs is not used: it fails the test on purpose.
var updateGolden = flag.Bool("update", false, "rewrite the inventory golden files")

// simOrigin replaces the simulator's random origin in bodies, so goldens are stable.
const simOrigin = "http://oktasim.test"

// goldenOrgNow is the generator "now" of the org behind the golden files: every date in
// them is derived from it, so the goldens never depend on the day the tests run.
var goldenOrgNow = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// TestGoldenPerResourceType compares the snapshot records of one full sync of a small
// fixed org, per resource type, with testdata/golden/<type>.yaml.
func TestGoldenPerResourceType(t *testing.T) {
	runGoldenPerResourceType(t, nil)
}

// TestGoldenPerResourceTypeClockYearAhead runs the same comparison with the simulator's
// wall clock a year ahead of the real one (Date headers, rate-limit windows, persistence
// times): the goldens must not change with the date the tests run on.
func TestGoldenPerResourceTypeClockYearAhead(t *testing.T) {
	runGoldenPerResourceType(t, func() time.Time { return time.Now().AddDate(1, 0, 0) })
}

func runGoldenPerResourceType(t *testing.T, clock func() time.Time) {
	_, url := simtest.StartSim(t, func(o *oktasim.Options) {
		o.Org.Now = goldenOrgNow
		o.Clock = clock
	})
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, withTypes(string(resource.GroupMembership)))
	inv.FullSync(context.Background())
	byType := splitByType(sink.AllLogs(), url)
	for _, typ := range allResourceTypes {
		t.Run(typ, func(t *testing.T) {
			actual, ok := byType[typ]
			require.True(t, ok, "no records of type %s", typ)
			path := filepath.Join("testdata", "golden", typ+".yaml")
			if *updateGolden {
				writeGoldenLogs(t, path, actual)
			}
			expected, err := golden.ReadLogs(path)
			require.NoError(t, err)
			opts := []plogtest.CompareLogsOption{plogtest.IgnoreTimestamp(), plogtest.IgnoreObservedTimestamp()}
			for _, key := range goldenRunValues {
				opts = append(opts, plogtest.IgnoreLogRecordAttributeValue(key))
			}
			// Records are sorted after the run-dependent values are blanked (options apply in order).
			opts = append(opts, plogtest.IgnoreLogRecordsOrder())
			require.NoError(t, plogtest.CompareLogs(expected, actual, opts...))
		})
	}
}

// splitByType regroups the snapshot records per resource type into one Logs each, with
// the simulator's origin replaced by simOrigin.
func splitByType(all []plog.Logs, url string) map[string]plog.Logs {
	out := map[string]plog.Logs{}
	scopes := map[string]plog.ScopeLogs{}
	for _, ld := range all {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					typ, _ := lr.Attributes().Get(inventory.AttrResourceType)
					sl, ok := scopes[typ.Str()]
					if !ok {
						nl := plog.NewLogs()
						rl := nl.ResourceLogs().AppendEmpty()
						rls.At(i).Resource().CopyTo(rl.Resource())
						rl.Resource().Attributes().PutStr("okta.org.url", simOrigin)
						sl = rl.ScopeLogs().AppendEmpty()
						sl.Scope().SetName(metadata.ScopeName)
						out[typ.Str()], scopes[typ.Str()] = nl, sl
					}
					nr := sl.LogRecords().AppendEmpty()
					lr.CopyTo(nr)
					replaceInValue(nr.Body(), url, simOrigin)
				}
			}
		}
	}
	return out
}

func replaceInValue(v pcommon.Value, from, to string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if strings.Contains(v.Str(), from) {
			v.SetStr(strings.ReplaceAll(v.Str(), from, to))
		}
	case pcommon.ValueTypeMap:
		v.Map().Range(func(_ string, e pcommon.Value) bool { replaceInValue(e, from, to); return true })
	case pcommon.ValueTypeSlice:
		for i := 0; i < v.Slice().Len(); i++ {
			replaceInValue(v.Slice().At(i), from, to)
		}
	}
}

// goldenRunValues are the attributes whose values change at every run (the sync id is
// random, and the record ids derive from it); the comparison
// ignores them, and writeGoldenLogs stores a fixed stand-in so that an update shows only
// real changes.
var goldenRunValues = []string{inventory.AttrSyncID, attrLogRecordUID}

// writeGoldenLogs writes ld as YAML in the format golden.ReadLogs reads, with the
// run-dependent values (goldenRunValues, timestamps) replaced by fixed stand-ins.
func writeGoldenLogs(t *testing.T, path string, ld plog.Logs) {
	t.Helper()
	ld = normalizedForGolden(ld)
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	y, err := yaml.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, y, 0o600))
}

// normalizedForGolden returns a copy of ld with the values of goldenRunValues set to
// "<key>" and the timestamps set to zero.
func normalizedForGolden(ld plog.Logs) plog.Logs {
	out := plog.NewLogs()
	ld.CopyTo(out)
	for _, rl := range out.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				for _, key := range goldenRunValues {
					if _, ok := lr.Attributes().Get(key); ok {
						lr.Attributes().PutStr(key, "<"+key+">")
					}
				}
				lr.SetTimestamp(0)
				lr.SetObservedTimestamp(0)
			}
		}
	}
	return out
}
