package receiver_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// scrapeAfterFullSync runs a metrics-only receiver (System Log off, a scrape every second) on
// the org at url and returns the first scrape that carries the inventory's counts: they are
// reported once the first full sync completed.
func scrapeAfterFullSync(t *testing.T, url string) pmetric.Metrics {
	t.Helper()
	f := oktareceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*oktareceiver.Config)
	cfg.ClientConfig.Endpoint = url
	cfg.APIToken = configopaque.String(oktasim.DefaultDemoToken)
	cfg.SystemLog.Enabled = false
	cfg.CollectionInterval = time.Second
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	r, err := f.CreateMetrics(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	var got pmetric.Metrics
	require.Eventually(t, func() bool {
		for _, md := range sink.AllMetrics() {
			if _, ok := metricPoints(md)["okta.inventory.objects"]; ok {
				got = md
				return true
			}
		}
		return false
	}, 2*time.Minute, 50*time.Millisecond, "no scrape with the inventory counts: the first full sync did not complete")
	return got
}

// TestMetricsMatchGroundTruth: the scraper's counts equal the simulator's ground truth.
func TestMetricsMatchGroundTruth(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	got := metricPoints(scrapeAfterFullSync(t, url))
	c := srv.GroundTruth().Counts
	assert.Equal(t, intMap(c.UsersByStatus), got["okta.users"])
	assert.Equal(t, intMap(c.GroupsByType), got["okta.groups"])
	assert.Equal(t, intMap(c.GroupMembers), firstAttr(got["okta.group.members"]))
	assert.Equal(t, intMap(c.GroupRulesByStatus), got["okta.group_rules"])
	assert.Equal(t, intMap(c.AppsByStatusAndSignOnMode), got["okta.applications"])
	assert.Equal(t, nonZero(intMap(c.UsersPerApp)), nonZero(firstAttr(got["okta.application.users"])))
	assert.Equal(t, nonZero(intMap(c.GroupsPerApp)), nonZero(firstAttr(got["okta.application.groups"])))
	assert.Equal(t, intMap(c.PoliciesByTypeAndStatus), got["okta.policies"])
	assert.Equal(t, nonZero(intMap(c.RulesPerPolicy)), nonZero(firstAttr(got["okta.policy.rules"])))
	assert.Equal(t, intMap(c.FactorsByTypeAndStatus), got["okta.factors"])
	assert.Equal(t, intMap(c.AdminAssignmentsByRole), got["okta.admin.assignments"])
	assert.NotEmpty(t, got["okta.api.requests"])
	assert.NotEmpty(t, got["okta.rate_limit.limit"])
}

// metricPoints returns metric -> "attr1/attr2/..." (attribute values in declared order) -> value.
func metricPoints(md pmetric.Metrics) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				var dps pmetric.NumberDataPointSlice
				switch m.Type() {
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				default:
					continue
				}
				vals := map[string]int64{}
				for d := 0; d < dps.Len(); d++ {
					dp := dps.At(d)
					var parts []string
					dp.Attributes().Range(func(_ string, v pcommon.Value) bool {
						parts = append(parts, v.AsString())
						return true
					})
					vals[strings.Join(parts, "/")] = dp.IntValue()
				}
				out[m.Name()] = vals
			}
		}
	}
	return out
}

func intMap(m map[string]int) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = int64(v)
	}
	return out
}

// firstAttr keeps the first attribute (the id) of "id/name" keys.
func firstAttr(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		id, _, _ := strings.Cut(k, "/")
		out[id] = v
	}
	return out
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}
