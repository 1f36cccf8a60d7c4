package oktareceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// simControl sends a control API request and fails the test on a non-2xx answer.
func simControl(t *testing.T, method, url string, body any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "%s %s", method, url)
}

func changesOf(recs []recordView, typ, changeType string) []recordView {
	var out []recordView
	for _, r := range recs {
		if r.event == eventInventoryChange && r.typ == typ && r.attrs[attrChangeType] == changeType {
			out = append(out, r)
		}
	}
	return out
}

// TestDeletionDetectedAtFullSync: an object deleted between two full syncs yields one
// deleted change record (trigger full_sync).
func TestDeletionDetectedAtFullSync(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	require.Empty(t, changesOf(records(sink), resUser, changeDeleted), "first sync is a baseline")
	victim := srv.GroundTruth().IDs[resTrustedOrigin][0]
	simControl(t, http.MethodDelete, url+"/_sim/resources/trusted_origin/"+victim, nil)
	sink.Reset()
	inv.fullSync(context.Background())
	del := changesOf(records(sink), resTrustedOrigin, changeDeleted)
	require.Len(t, del, 1)
	assert.Equal(t, victim, del[0].id)
	assert.Equal(t, triggerFullSync, del[0].attrs[attrChangeTrigger])
	assert.NotEmpty(t, del[0].attrs[attrSyncID])
	// Nothing else changed, so no other change records.
	for _, r := range records(sink) {
		if r.event == eventInventoryChange {
			assert.Equal(t, victim, r.id, "unexpected change %v", r.attrs)
		}
	}
}

// TestIncrementalSyncEmitsUpdatedFields: a user updated after the full sync is found by
// the lastUpdated query and reported with the changed field paths.
func TestIncrementalSyncEmitsUpdatedFields(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	var userID string
	for _, id := range srv.GroundTruth().IDs[resUser] {
		if inv.state.name(resUser, id) == "" { // users keep no name; pick any active one
			userID = id
			break
		}
	}
	require.NotEmpty(t, userID)
	simControl(t, http.MethodPatch, url+"/_sim/resources/user/"+userID, map[string]any{"profile": map[string]any{"title": "Chief Tester"}})
	sink.Reset()
	inv.incrementalSync(context.Background())
	upd := changesOf(records(sink), resUser, changeUpdated)
	require.Len(t, upd, 1, "exactly the updated user")
	assert.Equal(t, userID, upd[0].id)
	assert.Equal(t, triggerIncremental, upd[0].attrs[attrChangeTrigger])
	fields, _ := upd[0].attrs[attrChangeFields].([]any)
	assert.Contains(t, fields, "profile.title")
	assert.Equal(t, "Chief Tester", upd[0].body["profile"].(map[string]any)["title"])
	// A second incremental pass finds nothing new.
	sink.Reset()
	inv.incrementalSync(context.Background())
	assert.Empty(t, changesOf(records(sink), resUser, changeUpdated))
}

// TestReadOnlyAdminSkipsForbiddenTypesOnce: a read-only token gets 403 on Super-Admin-only
// endpoints (okta_support...): those types are skipped and counted, the others delivered.
func TestReadOnlyAdminSkipsForbiddenTypesOnce(t *testing.T) {
	const roToken = "read-only-token"
	srv, url := startInvSim(t, func(o *oktasim.Options) {
		o.Platform.Tokens = append(o.Platform.Tokens, oktasim.APIToken{Value: roToken, Role: oktasim.RoleReadOnly, Name: "ro"})
	})
	inv, sink := simInventory(t, url, roToken, nil)
	inv.fullSync(context.Background())
	inv.fullSync(context.Background())
	got := snapshotIDs(records(sink))
	assert.Empty(t, got[resOktaSupport], "okta_support is Super Admin only")
	st := inv.stats()
	assert.Equal(t, int64(1), st.errors[resOktaSupport], "skipped at each full sync, counted once")
	inv.mu.Lock()
	assert.Equal(t, reportedSkip, inv.reported[resOktaSupport])
	inv.mu.Unlock()
	gt := srv.GroundTruth()
	assert.Len(t, got[resUser], 2*len(gt.IDs[resUser]), "users delivered by both syncs")
	assert.Len(t, got[resApplication], 2*len(gt.IDs[resApplication]))
}

// TestMetricsMatchGroundTruth: the scraper's counts equal the simulator's ground truth.
func TestMetricsMatchGroundTruth(t *testing.T) {
	srv, url := startInvSim(t, nil)
	inv, _ := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.fullSync(context.Background())
	got := metricPoints(scrapeInventory(t, inv))
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
