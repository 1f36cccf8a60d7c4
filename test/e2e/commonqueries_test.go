package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// commonQueriesConfig runs okta → rules (default packs) → file exporter, and the receiver's
// metrics → Prometheus exporter: what a user of the distribution ships.
const commonQueriesConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    collection_interval: 1s
    system_log:
      enabled: false
processors:
  rules:
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
    flush_interval: 100ms
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      processors: [rules]
      exporters: [file/okta]
    metrics:
      receivers: [okta]
      exporters: [prometheus]
`

// queryAnswer is one row of the common-queries table: our answer from the shipped outputs and
// the simulator's ground truth, both rendered as comparable strings.
type queryAnswer struct {
	query, source, ours, truth string
}

// TestCommonQueriesEndToEnd answers the seed product's seven common queries from what the
// distribution ships (file exporter records, rules findings, Prometheus metrics) and compares
// every answer with the simulator's ground truth (GET /_sim/groundtruth, plus the Okta API of the
// simulator for group rule actions and policy lastUpdated).
func TestCommonQueriesEndToEnd(t *testing.T) {
	sim := startSimulator(t, "--users", "120", "--groups", "20", "--apps", "15", "--events-per-sec", "0", "--rate-limit-window", "5s")
	gt := sim.groundTruth(t)
	// The generated org's policies were all updated long ago; touch two so that query 7 has a
	// non-empty answer (the simulator bumps lastUpdated on every change).
	policies := gt.IDs["policy"]
	if len(policies) < 2 {
		t.Fatalf("the simulator generated %d policies, want at least 2", len(policies))
	}
	for _, id := range policies[:2] {
		sim.control(t, http.MethodPatch, "/_sim/resources/policy/"+id, map[string]any{"description": "touched by the common-queries test"})
	}
	dir := t.TempDir()
	health, prom := freePort(t), freePort(t)
	startCollector(t, dir, render(commonQueriesConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "PROM": strconv.Itoa(prom),
	}), health)
	// group_membership is opt-in in the receiver and not needed by any of the seven queries.
	synced := gt
	synced.IDs = map[string][]string{}
	for typ, ids := range gt.IDs {
		if typ != "group_membership" {
			synced.IDs[typ] = ids
		}
	}

	var recs []record
	complete := waitFor(context.Background(), 75*time.Second, 500*time.Millisecond, func() bool {
		var err error
		recs, err = readRecords(filepath.Join(dir, "records.jsonl"))
		return err == nil && len(missingSnapshots(synced, recs)) == 0
	})
	if !complete {
		t.Fatalf("the full sync did not deliver every ground-truth object in time: %v", summarizeMissing(missingSnapshots(synced, recs)))
	}
	promURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)
	var samples []promSample
	ok := waitFor(context.Background(), 20*time.Second, time.Second, func() bool {
		var err error
		samples, err = scrapeProm(promURL)
		return err == nil && len(promFind(samples, "okta_policy_rules", nil)) > 0
	})
	if !ok {
		t.Fatalf("no okta_policy_rules series on %s", promURL)
	}

	snap := latestSnapshots(recs)
	findings := findingIDs(recs)
	answers := []queryAnswer{
		queryApplicationGroups(gt, snap),
		queryGroupRulesAssigning(t, sim, snap, findings),
		queryInactiveFactors(gt, snap, findings, samples),
		queryApplicationUserCount(gt, samples),
		queryPolicyRuleCount(gt, samples),
		queryInactiveApplications(gt, snap, findings, samples),
		queryRecentPolicies(t, sim, gt, snap, findings),
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-42s | %-60s | %-40s | %s\n", "query", "answered by", "ours", "ground truth")
	for _, a := range answers {
		fmt.Fprintf(&b, "%-42s | %-60s | %-40s | %s\n", a.query, a.source, clip(a.ours, 40), clip(a.truth, 40))
	}
	t.Logf("common queries (%d records read):\n%s", len(recs), b.String())
	for _, a := range answers {
		if a.ours != a.truth {
			t.Errorf("%s: ours %s, ground truth %s", a.query, a.ours, a.truth)
		}
	}
}

// latestSnapshots returns, per resource type and id, the body of the last snapshot record.
func latestSnapshots(recs []record) map[string]map[string]map[string]any {
	out := map[string]map[string]map[string]any{}
	for _, r := range recs {
		if r.EventName != "okta.inventory.snapshot" {
			continue
		}
		typ, id := r.attr("okta.resource.type"), r.attr("okta.resource.id")
		if out[typ] == nil {
			out[typ] = map[string]map[string]any{}
		}
		body, _ := r.Body.AsRaw().(map[string]any)
		out[typ][id] = body
	}
	return out
}

// findingIDs returns, per rule id, the resource ids the rules processor raised findings for.
func findingIDs(recs []record) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, r := range recs {
		if r.EventName != "okta.compliance.finding" {
			continue
		}
		rule := r.attr("security_rule.uuid")
		if out[rule] == nil {
			out[rule] = map[string]bool{}
		}
		out[rule][r.attr("okta.resource.id")] = true
	}
	return out
}

// Query 1: application groups, as application_group records vs ground-truth ids.
func queryApplicationGroups(gt groundTruth, snap map[string]map[string]map[string]any) queryAnswer {
	return queryAnswer{
		query:  "1 list application groups",
		source: "records okta.resource.type=application_group",
		ours:   idSet(keys(snap["application_group"])),
		truth:  idSet(gt.IDs["application_group"]),
	}
}

// Query 2: group rules that assign users to groups (actions.assignUserToGroups.groupIds), from
// the group_rule records; the truth is the simulator's GET /api/v1/groups/rules. The findings of
// OKTA-POS-060 must be exactly the ACTIVE ones among them.
func queryGroupRulesAssigning(t *testing.T, sim *simulator, snap map[string]map[string]map[string]any, findings map[string]map[string]bool) queryAnswer {
	var apiRules []map[string]any
	sim.oktaAPI(t, "/api/v1/groups/rules?limit=200", &apiRules)
	var truth, truthActive, ours []string
	for _, r := range apiRules {
		if len(assignedGroups(r)) > 0 {
			truth = append(truth, fmt.Sprint(r["id"]))
			if r["status"] == "ACTIVE" {
				truthActive = append(truthActive, fmt.Sprint(r["id"]))
			}
		}
	}
	for id, body := range snap["group_rule"] {
		if len(assignedGroups(body)) > 0 {
			ours = append(ours, id)
		}
	}
	if got, want := idSet(keys(findings["OKTA-POS-060"])), idSet(truthActive); got != want {
		t.Errorf("2 group rules: OKTA-POS-060 findings %s, active assigning rules %s", got, want)
	}
	return queryAnswer{
		query:  "2 group rules assigning users to groups",
		source: "group_rule records (groupIds); OKTA-POS-060 for ACTIVE",
		ours:   idSet(ours),
		truth:  idSet(truth),
	}
}

func assignedGroups(rule map[string]any) []any {
	actions, _ := rule["actions"].(map[string]any)
	assign, _ := actions["assignUserToGroups"].(map[string]any)
	ids, _ := assign["groupIds"].([]any)
	return ids
}

// Query 3: user factors that are not ACTIVE: OKTA-POS-053 findings, user_factor records and the
// okta_factors metric, vs the ground truth's factors by type and status.
func queryInactiveFactors(gt groundTruth, snap map[string]map[string]map[string]any, findings map[string]map[string]bool, samples []promSample) queryAnswer {
	truth := 0
	for key, n := range gt.Counts.FactorsByTypeAndStatus {
		if !strings.HasSuffix(key, "/ACTIVE") {
			truth += n
		}
	}
	records := 0
	for _, body := range snap["user_factor"] {
		if body["status"] != "ACTIVE" {
			records++
		}
	}
	metric := 0.0
	for _, s := range promFind(samples, "okta_factors", nil) {
		if s.Labels["okta_factor_status"] != "ACTIVE" {
			metric += s.Value
		}
	}
	return queryAnswer{
		query:  "3 inactive user factors",
		source: "OKTA-POS-053 findings; user_factor records; okta_factors",
		ours:   fmt.Sprintf("findings=%d records=%d metric=%g", len(findings["OKTA-POS-053"]), records, metric),
		truth:  fmt.Sprintf("findings=%d records=%d metric=%d", truth, truth, truth),
	}
}

// Query 4: users per application, okta_application_users vs ground-truth usersPerApp.
func queryApplicationUserCount(gt groundTruth, samples []promSample) queryAnswer {
	ours := map[string]int{}
	for _, s := range promFind(samples, "okta_application_users", nil) {
		ours[s.Labels["okta_application_id"]] = int(s.Value)
	}
	return queryAnswer{
		query:  "4 application user count",
		source: "metric okta_application_users{okta_application_id}",
		ours:   countMap(ours),
		truth:  countMap(gt.Counts.UsersPerApp),
	}
}

// Query 5: rules per policy, okta_policy_rules vs ground-truth rulesPerPolicy.
func queryPolicyRuleCount(gt groundTruth, samples []promSample) queryAnswer {
	ours := map[string]int{}
	for _, s := range promFind(samples, "okta_policy_rules", nil) {
		ours[s.Labels["okta_policy_id"]] = int(s.Value)
	}
	return queryAnswer{
		query:  "5 policy rule count per policy",
		source: "metric okta_policy_rules{okta_policy_id}",
		ours:   countMap(ours),
		truth:  countMap(gt.Counts.RulesPerPolicy),
	}
}

// Query 6: INACTIVE applications: OKTA-POS-048 findings, application records and
// okta_applications{okta_application_status="INACTIVE"}, vs the ground truth's apps by status.
func queryInactiveApplications(gt groundTruth, snap map[string]map[string]map[string]any, findings map[string]map[string]bool, samples []promSample) queryAnswer {
	truth := 0
	for key, n := range gt.Counts.AppsByStatusAndSignOnMode {
		if strings.HasPrefix(key, "INACTIVE/") {
			truth += n
		}
	}
	records := 0
	for _, body := range snap["application"] {
		if body["status"] == "INACTIVE" {
			records++
		}
	}
	metric := 0.0
	for _, s := range promFind(samples, "okta_applications", map[string]string{"okta_application_status": "INACTIVE"}) {
		metric += s.Value
	}
	return queryAnswer{
		query:  "6 applications with inactive status",
		source: `OKTA-POS-048; records; okta_applications{status="INACTIVE"}`,
		ours:   fmt.Sprintf("findings=%d records=%d metric=%g", len(findings["OKTA-POS-048"]), records, metric),
		truth:  fmt.Sprintf("findings=%d records=%d metric=%d", truth, truth, truth),
	}
}

// Query 7: policies updated in the last seven days: OKTA-POS-061 findings vs the simulator's
// policies (GET /api/v1/policies/{id} with the token) whose lastUpdated is within 7 days.
func queryRecentPolicies(t *testing.T, sim *simulator, gt groundTruth, snap map[string]map[string]map[string]any, findings map[string]map[string]bool) queryAnswer {
	cutoff := time.Now().Add(-7 * 24 * time.Hour)
	var truth, records []string
	for _, id := range gt.IDs["policy"] {
		var p map[string]any
		sim.oktaAPI(t, "/api/v1/policies/"+id, &p)
		if recentlyUpdated(p, cutoff) {
			truth = append(truth, id)
		}
	}
	for id, body := range snap["policy"] {
		if recentlyUpdated(body, cutoff) {
			records = append(records, id)
		}
	}
	if got, want := idSet(records), idSet(truth); got != want {
		t.Errorf("7 recent policies: policy records %s, simulator %s", got, want)
	}
	if len(truth) == 0 {
		t.Errorf("7 recent policies: the simulator reports none, although the test touched two")
	}
	return queryAnswer{
		query:  "7 policies updated in the last 7 days",
		source: "OKTA-POS-061 findings (recent_change_days: 7)",
		ours:   idSet(keys(findings["OKTA-POS-061"])),
		truth:  idSet(truth),
	}
}

func recentlyUpdated(policy map[string]any, cutoff time.Time) bool {
	s, _ := policy["lastUpdated"].(string)
	ts, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && ts.After(cutoff)
}

// oktaAPI GETs an Okta Management API path of the simulator with the SSWS token.
func (s *simulator) oktaAPI(t *testing.T, path string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	mustf(t, err, "build request %s", path)
	req.Header.Set("Authorization", "SSWS "+simToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	mustf(t, err, "GET %s", path)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	mustf(t, json.NewDecoder(resp.Body).Decode(out), "decode %s", path)
}

// idSet renders a set of ids as "n [first ids…]" for the table, sorted so equal sets compare equal.
func idSet(ids []string) string {
	s := append([]string(nil), ids...)
	sort.Strings(s)
	return fmt.Sprintf("%d %v", len(s), s)
}

// countMap renders per-key counts as "n keys, total t, [k=v …]", sorted.
func countMap(m map[string]int) string {
	parts := make([]string, 0, len(m))
	total := 0
	for k, v := range m {
		if v == 0 {
			continue
		}
		parts = append(parts, k+"="+strconv.Itoa(v))
		total += v
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d keys, total %d, %v", len(parts), total, parts)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func summarizeMissing(missing map[string][]string) string {
	var parts []string
	for typ, ids := range missing {
		parts = append(parts, fmt.Sprintf("%s: %d", typ, len(ids)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
