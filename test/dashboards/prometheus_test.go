package dashboards

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// grafanaVariables replaces the dashboards' template variables as Grafana would for "All" orgs and
// jobs over a 30 s range; the test waits until Prometheus holds more than 30 s of data.
var grafanaVariables = strings.NewReplacer(
	"$__rate_interval", "20s",
	"$__range", "30s",
	"$__interval", "5s",
	"$org", ".+",
	"$job", ".+",
)

// noDataInDemo lists the panel queries ("<dashboard uid> / <panel title>") that return nothing on a
// healthy simulator run, with the reason. Every other panel query must return data.
var noDataInDemo = map[string]string{
	"okta-receiver-health / System Log errors": "the simulator runs without faults: no polling error series exist",
	"okta-receiver-health / Inventory errors":  "every resource type of the simulated org can be listed: no error series exist",
}

// quietOnHealthyDemo lists the alerts whose expression must match nothing on a healthy run: they
// would be false alarms. The other alerts may match (the simulated org is deliberately non-compliant).
var quietOnHealthyDemo = []string{
	"OktaCollectorDown", "OktaCollectorAbsent", "OktaReceiverNoMetrics", "OktaSystemLogStalled",
	"OktaSystemLogPollingErrors", "OktaRateLimited", "OktaRateLimitBudgetLow", "OktaAPIErrorRateHigh",
	"OktaFullSyncSlow", "OktaCredentialRejected", "OktaExporterQueueFilling", "OktaExporterQueueFull",
	"OktaExporterSendFailed", "OktaCheckpointVolumeFilling", "OktaCheckpointVolumeFullSoon",
	"OktaCollectorNotReady",
}

// presentOnHealthyDemo are series that must exist for a quiet alert above to mean something
// (OktaReceiverNoMetrics joins the collector's own telemetry with the receiver's metrics).
var presentOnHealthyDemo = []string{`otelcol_process_uptime{service_name="otelcol-okta"}`}

// metricsWithoutDemoData are metric names that alert expressions reference but the healthy demo never
// produces (the same reasons as noDataInDemo).
var metricsWithoutDemoData = map[string]string{
	"okta_system_log_errors_total": "no polling errors",
	"okta_inventory_errors_total":  "no inventory errors",
	"okta_event_hook_events_total": "event hooks are off in the demo (the System Log poller alone collects)",
}

// promQuery is one query the end-to-end test runs against Prometheus.
type promQuery struct {
	name     string // "<dashboard uid> / <panel title> [refId]" or "alert X" / "record x"
	key      string // noDataInDemo key
	expr     string
	isRule   bool
	result   []sample
	err      error
	noteData string
}

func collectQueries(t *testing.T) []*promQuery {
	t.Helper()
	var qs []*promQuery
	for _, d := range loadDashboards(t) {
		for _, p := range d.queryPanels() {
			for _, tg := range p.Targets {
				key := d.UID + " / " + p.Title
				qs = append(qs, &promQuery{name: key + " [" + tg.RefID + "]", key: key, expr: grafanaVariables.Replace(tg.Expr)})
			}
		}
	}
	for _, g := range loadRuleGroups(t) {
		for _, r := range g.Rules {
			name := "record " + r.Record
			if r.Alert != "" {
				name = "alert " + r.Alert
			}
			qs = append(qs, &promQuery{name: name, key: name, expr: r.Expr, isRule: true})
		}
	}
	return qs
}

func TestDashboardsAndAlertsOnRealPrometheus(t *testing.T) {
	s := startStack(t)
	queries := collectQueries(t)
	start := time.Now()
	deadline := start.Add(150 * time.Second)
	var problems []string
	for {
		s.alive(t)
		problems = evaluate(t, s, queries)
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(3 * time.Second)
	}
	if res, err := s.prom.query(`sum_over_time(up{job="` + oktaMetricsJob + `"}[10m]) / count_over_time(up{job="` + oktaMetricsJob + `"}[10m])`); err == nil && len(res) == 1 {
		t.Logf("successful scrapes of the collector: %.0f%%", 100*res[0].Value)
	}
	t.Logf("Prometheus data after %s; %d queries:", time.Since(start).Round(time.Second), len(queries))
	t.Logf("%-92s %7s  %s", "PANEL / RULE [query]", "SERIES", "NOTE")
	for _, q := range queries {
		count := fmt.Sprint(len(q.result))
		if q.err != nil {
			count = "ERROR"
		}
		t.Logf("%-92s %7s  %s", q.name, count, q.noteData)
	}
	for _, line := range s.commonSummary {
		t.Logf("common query %s", line)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// evaluate runs every query and every check once and returns what is still wrong.
func evaluate(t *testing.T, s *stack, queries []*promQuery) []string {
	t.Helper()
	if err := s.prom.pinToLastGoodScrape(oktaMetricsJob); err != nil {
		return []string{err.Error()}
	}
	defer func() { s.prom.at = time.Time{} }()
	var problems []string
	seriesCount := map[string]int{} // metric name -> series in Prometheus, filled on demand
	for _, q := range queries {
		q.result, q.err = s.prom.query(q.expr)
		q.noteData = ""
		if reason, ok := noDataInDemo[q.key]; ok {
			q.noteData = "no data expected: " + reason
		}
		switch {
		case q.err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v\n    %s", q.name, q.err, q.expr))
		case !q.isRule && len(q.result) == 0 && q.noteData == "":
			problems = append(problems, fmt.Sprintf("%s: no data\n    %s", q.name, q.expr))
		case !q.isRule && q.noteData == "":
			// "or vector(0)" makes a stat panel return data even without its metric: check the metrics too.
			if missing := missingMetrics(s, q.expr, seriesCount); len(missing) > 0 {
				problems = append(problems, fmt.Sprintf("%s: no data for %v", q.name, missing))
			}
		}
	}
	problems = append(problems, checkRules(s, queries, seriesCount)...)
	for _, sel := range presentOnHealthyDemo {
		if res, err := s.prom.query("count(" + sel + ")"); err != nil || len(res) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no series (err %v): the quiet alerts that read it prove nothing", sel, err))
		}
	}
	problems = append(problems, checkCommonQueries(t, s)...)
	return problems
}

// metricName matches metric names in a PromQL expression once labels, strings and grouping clauses are gone.
var (
	labelBlock    = regexp.MustCompile(`\{[^}]*\}`)
	groupingBlock = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identifier    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
)

// referencedMetrics returns the metric names an expression reads (okta_*, okta:* and up).
func referencedMetrics(expr string) []string {
	stripped := groupingBlock.ReplaceAllString(labelBlock.ReplaceAllString(expr, " "), " ")
	seen := map[string]bool{}
	var out []string
	for _, id := range identifier.FindAllString(stripped, -1) {
		if (strings.HasPrefix(id, "okta_") || strings.HasPrefix(id, "okta:") || id == "up") && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// missingMetrics returns the metrics expr reads that have no series in Prometheus (except those of
// metricsWithoutDemoData); seriesCount caches the answers of one evaluation round.
func missingMetrics(s *stack, expr string, seriesCount map[string]int) []string {
	var missing []string
	for _, m := range referencedMetrics(expr) {
		if _, ok := metricsWithoutDemoData[m]; ok {
			continue
		}
		n, ok := seriesCount[m]
		if !ok {
			if res, err := s.prom.query("count(" + m + ")"); err == nil && len(res) == 1 {
				n = int(res[0].Value)
			}
			seriesCount[m] = n
		}
		if n == 0 {
			missing = append(missing, m)
		}
	}
	return missing
}

// checkRules checks that Prometheus evaluates every rule without error, that every metric a rule
// reads has data, and that the alerts of quietOnHealthyDemo match nothing.
func checkRules(s *stack, queries []*promQuery, seriesCount map[string]int) []string {
	var problems []string
	health, err := s.prom.ruleHealth()
	if err != nil {
		return []string{err.Error()}
	}
	quiet := map[string]bool{}
	for _, a := range quietOnHealthyDemo {
		quiet["alert "+a] = true
	}
	for _, q := range queries {
		if !q.isRule {
			continue
		}
		ruleName := strings.TrimPrefix(strings.TrimPrefix(q.name, "alert "), "record ")
		if h := health[ruleName]; h[0] != "ok" {
			problems = append(problems, fmt.Sprintf("%s: Prometheus rule health %q %s", q.name, h[0], h[1]))
		}
		if missing := missingMetrics(s, q.expr, seriesCount); len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s: no data for %v", q.name, missing))
		}
		switch {
		case quiet[q.name] && len(q.result) > 0:
			problems = append(problems, fmt.Sprintf("%s: matches %d series on a healthy run (false alarm): %v", q.name, len(q.result), q.result))
		case quiet[q.name]:
			q.noteData = "quiet on a healthy run, as expected"
		case len(q.result) > 0 && !strings.HasPrefix(q.name, "record"):
			q.noteData = "matches on the demo org"
		}
	}
	return problems
}

// checkCommonQueries compares the org-overview panels behind the common queries with the
// simulator's ground truth.
func checkCommonQueries(t *testing.T, s *stack) []string {
	t.Helper()
	panels := map[string]string{}
	for _, d := range loadDashboards(t) {
		if d.UID != "okta-org-overview" {
			continue
		}
		for _, p := range d.queryPanels() {
			panels[p.Title] = grafanaVariables.Replace(p.Targets[0].Expr)
		}
	}
	gt := s.groundTruth(t)
	s.commonSummary = nil
	var problems []string
	compareByLabel := func(title, label string, want map[string]int) {
		res, err := s.prom.query(panels[title])
		if err != nil {
			problems = append(problems, fmt.Sprintf("common query %q: %v", title, err))
			return
		}
		got := map[string]int{}
		for _, r := range res {
			got[r.Metric[label]] = int(math.Round(r.Value))
		}
		var diffs []string
		for k, w := range want {
			if got[k] != w {
				diffs = append(diffs, fmt.Sprintf("%s: want %d, got %d", k, w, got[k]))
			}
		}
		for k, g := range got {
			if _, ok := want[k]; !ok && g != 0 {
				diffs = append(diffs, fmt.Sprintf("%s: not in the ground truth, got %d", k, g))
			}
		}
		sort.Strings(diffs)
		s.commonSummary = append(s.commonSummary, fmt.Sprintf("%s: %d values, %d differ from the ground truth", title, len(want), len(diffs)))
		if len(diffs) > 0 {
			problems = append(problems, fmt.Sprintf("common query %q differs from the ground truth (%d of %d): %s", title, len(diffs), len(want), strings.Join(first(diffs, 5), "; ")))
		}
	}
	compareTotal := func(title string, want int) {
		res, err := s.prom.query(panels[title])
		if err != nil || len(res) != 1 {
			problems = append(problems, fmt.Sprintf("common query %q: want one value, got %v (err %v)", title, res, err))
			return
		}
		got := int(math.Round(res[0].Value))
		s.commonSummary = append(s.commonSummary, fmt.Sprintf("%s: %d (ground truth %d)", title, got, want))
		if got != want {
			problems = append(problems, fmt.Sprintf("common query %q: want %d (ground truth), got %d", title, want, got))
		}
	}
	compareByLabel("Users per application", "okta_application_id", gt.Counts.UsersPerApp)
	compareByLabel("Rules per policy", "okta_policy_id", gt.Counts.RulesPerPolicy)
	compareByLabel("Users by status (now)", "okta_user_status", gt.Counts.UsersByStatus)
	inactiveApps, inactiveFactors := 0, 0
	for k, n := range gt.Counts.AppsByStatusAndSignOnMode {
		if strings.HasPrefix(k, "INACTIVE/") {
			inactiveApps += n
		}
	}
	for k, n := range gt.Counts.FactorsByTypeAndStatus {
		if !strings.HasSuffix(k, "/ACTIVE") {
			inactiveFactors += n
		}
	}
	compareTotal("Inactive applications", inactiveApps)
	compareTotal("Inactive user factors", inactiveFactors)
	return problems
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
