package receiver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// TestMetricNameAttributesAreFilled: the data points of group members, application users
// and groups, and rules per policy carry the name the simulator serves for their object
// (a group's profile.name, an app's label, a policy's name), read back over HTTP from the
// object's own endpoint. Every object of those types has a data point.
func TestMetricNameAttributesAreFilled(t *testing.T) {
	srv, simURL := simtest.StartSim(t, nil)
	md := scrapeAfterFullSync(t, simURL)

	served := func(path string, field ...string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, simURL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "SSWS "+oktasim.DefaultDemoToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		var obj map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&obj))
		name := resource.Path(strings.Join(field, ".")).Text(obj)
		require.NotEmpty(t, name, "%s serves no %v", path, field)
		return name
	}
	gt := srv.GroundTruth()
	cases := []struct {
		metric, idAttr, nameAttr string
		ids                      []string
		path                     func(id string) string
		field                    []string
	}{
		{"okta.group.members", "okta.group.id", "okta.group.name", gt.IDs["group"],
			func(id string) string { return "/api/v1/groups/" + url.PathEscape(id) }, []string{"profile", "name"}},
		{"okta.application.users", "okta.application.id", "okta.application.name", gt.IDs["application"],
			func(id string) string { return "/api/v1/apps/" + url.PathEscape(id) }, []string{"label"}},
		{"okta.application.groups", "okta.application.id", "okta.application.name", gt.IDs["application"],
			func(id string) string { return "/api/v1/apps/" + url.PathEscape(id) }, []string{"label"}},
		{"okta.policy.rules", "okta.policy.id", "okta.policy.name", gt.IDs["policy"],
			func(id string) string { return "/api/v1/policies/" + url.PathEscape(id) }, []string{"name"}},
	}
	for _, c := range cases {
		t.Run(c.metric, func(t *testing.T) {
			names := namesByID(t, md, c.metric, c.idAttr, c.nameAttr)
			require.Len(t, names, len(c.ids), "one data point per object")
			for _, id := range c.ids {
				assert.Equal(t, served(c.path(id), c.field...), names[id], "%s %s", c.nameAttr, id)
			}
		})
	}
}

// namesByID returns, for the data points of metric, the nameAttr value per idAttr value.
func namesByID(t *testing.T, md pmetric.Metrics, metric, idAttr, nameAttr string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != metric {
					continue
				}
				for _, dp := range m.Sum().DataPoints().All() {
					id, ok := dp.Attributes().Get(idAttr)
					require.True(t, ok, "%s data point without %s", metric, idAttr)
					name, ok := dp.Attributes().Get(nameAttr)
					require.True(t, ok, "%s data point without %s", metric, nameAttr)
					out[id.Str()] = name.Str()
				}
			}
		}
	}
	require.NotEmpty(t, out, "no %s data points", metric)
	return out
}
