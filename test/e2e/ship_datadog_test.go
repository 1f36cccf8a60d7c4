package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// onlyOnFaults are metrics the Datadog dashboards and monitors read that a healthy run of
// config/datadog-otlp.yaml does not send, with the reason. They are checked against the
// receiver's metadata.yaml instead of the wire.
var onlyOnFaults = map[string]string{
	"okta.event_hook.events": "event hooks are off in config/datadog-otlp.yaml",
	"okta.system_log.errors": "the System Log poller meets no error on the simulator",
	"okta.inventory.errors":  "every resource type of the simulated org can be listed",
}

// copiedOrgTags are the resource attributes config/datadog-otlp.yaml copies onto every data point
// (transform/okta_org_label): tags of every metric.
var copiedOrgTags = []string{"okta.org.url", "okta.org.id"}

// datadogRef is one metric a Datadog query reads, with the tag keys it filters or groups by.
type datadogRef struct {
	where  string // file and widget or monitor, for messages
	metric string
	tags   []string
}

// metricQuery matches a Datadog metric query: <space agg>:<metric>{<scope>} [by {<tags>}].
var metricQuery = regexp.MustCompile(`(?:avg|sum|min|max|count):([a-z][a-z0-9_.]*)\{([^}]*)\}(?:\s*by\s*\{([^}]*)\})?`)

// scopeTag matches the tag keys of a scope: "key:value", "!key:value", "key IN (...)", "key NOT IN (...)".
var scopeTag = regexp.MustCompile(`(?:^|[\s,(!])([a-z][a-z0-9_.]*)(?::|\s+(?:NOT\s+)?IN\s*\()`)

// parseDatadogQuery returns the metrics and tag keys of a query string; templateTags maps a
// template variable ("$org") to its tag key.
func parseDatadogQuery(query string, templateTags map[string]string) ([]datadogRef, error) {
	matches := metricQuery.FindAllStringSubmatch(query, -1)
	if len(matches) == 0 {
		return nil, fmt.Errorf("no metric query in %q", query)
	}
	var refs []datadogRef
	for _, m := range matches {
		ref := datadogRef{metric: m[1]}
		scope := m[2]
		for _, v := range regexp.MustCompile(`\$[a-z_]+`).FindAllString(scope, -1) {
			tag, ok := templateTags[v]
			if !ok {
				return nil, fmt.Errorf("%q uses template variable %s, which the dashboard does not define", query, v)
			}
			ref.tags = append(ref.tags, tag)
		}
		for _, t := range scopeTag.FindAllStringSubmatch(scope, -1) {
			ref.tags = append(ref.tags, t[1])
		}
		for _, t := range strings.Split(m[3], ",") {
			if t = strings.TrimSpace(t); t != "" {
				ref.tags = append(ref.tags, t)
			}
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// queryRefs parses one query of a dashboard or monitor (where) and reports a bad one.
func queryRefs(t *testing.T, where, query string, templateTags map[string]string) []datadogRef {
	t.Helper()
	refs, err := parseDatadogQuery(query, templateTags)
	if err != nil {
		t.Errorf("%s: %v", where, err)
	}
	for i := range refs {
		refs[i].where = where
	}
	return refs
}

// datadogDashboardRefs reads the dashboards of deploy/datadog and checks their structure.
func datadogDashboardRefs(t *testing.T) []datadogRef {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "datadog", "okta-*.json"))
	mustf(t, err, "list deploy/datadog")
	var refs []datadogRef
	dashboards := 0
	for _, f := range files {
		if strings.HasSuffix(f, "okta-monitors.json") {
			continue
		}
		dashboards++
		var d struct {
			Title      string `json:"title"`
			LayoutType string `json:"layout_type"`
			Templates  []struct {
				Name   string `json:"name"`
				Prefix string `json:"prefix"`
			} `json:"template_variables"`
			Widgets []datadogWidget `json:"widgets"`
		}
		data, err := os.ReadFile(f)
		mustf(t, err, "read %s", f)
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if d.Title == "" || (d.LayoutType != "ordered" && d.LayoutType != "free") || len(d.Widgets) == 0 {
			t.Errorf("%s: want a title, layout_type ordered|free and widgets", name)
		}
		templates := map[string]string{}
		for _, v := range d.Templates {
			templates["$"+v.Name] = v.Prefix
		}
		var walk func(ws []datadogWidget)
		walk = func(ws []datadogWidget) {
			for _, w := range ws {
				def := w.Definition
				where := name + " / " + def.Title
				switch def.Type {
				case "group":
					walk(def.Widgets)
					continue
				case "timeseries", "query_value", "toplist":
				default:
					t.Errorf("%s: widget type %q (want group, timeseries, query_value or toplist)", where, def.Type)
					continue
				}
				if len(def.Requests) == 0 {
					t.Errorf("%s: no requests", where)
				}
				for _, r := range def.Requests {
					names := map[string]bool{}
					for _, q := range r.Queries {
						if q.DataSource != "metrics" || q.Name == "" {
							t.Errorf("%s: query %q: want data_source metrics and a name", where, q.Query)
						}
						names[q.Name] = true
						refs = append(refs, queryRefs(t, where, q.Query, templates)...)
					}
					if len(r.Formulas) == 0 {
						t.Errorf("%s: no formulas", where)
					}
					for _, fm := range r.Formulas {
						for _, id := range regexp.MustCompile(`\bquery\d+\b`).FindAllString(fm.Formula, -1) {
							if !names[id] {
								t.Errorf("%s: formula %q uses %s, which is not a query of the request", where, fm.Formula, id)
							}
						}
					}
				}
			}
		}
		walk(d.Widgets)
	}
	if dashboards != 4 {
		t.Errorf("deploy/datadog has %d dashboards, want the 4 of deploy/grafana", dashboards)
	}
	return refs
}

type datadogWidget struct {
	Definition struct {
		Type     string          `json:"type"`
		Title    string          `json:"title"`
		Widgets  []datadogWidget `json:"widgets"`
		Requests []struct {
			Queries []struct {
				DataSource string `json:"data_source"`
				Name       string `json:"name"`
				Query      string `json:"query"`
			} `json:"queries"`
			Formulas []struct {
				Formula string `json:"formula"`
			} `json:"formulas"`
		} `json:"requests"`
	} `json:"definition"`
}

// monitorThreshold matches the comparison that ends a monitor query.
var monitorThreshold = regexp.MustCompile(`\s(<=|>=|<|>)\s*(-?[0-9.]+)\s*$`)

// datadogMonitorRefs reads deploy/datadog/okta-monitors.json, checks each monitor and that every
// alert of deploy/prometheus/okta-alerts.rules.yaml has a monitor (tag prometheus_alert:<name>).
func datadogMonitorRefs(t *testing.T) []datadogRef {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "datadog", "okta-monitors.json"))
	mustf(t, err, "read okta-monitors.json")
	var monitors []struct {
		Name    string   `json:"name"`
		Type    string   `json:"type"`
		Query   string   `json:"query"`
		Message string   `json:"message"`
		Tags    []string `json:"tags"`
		Options struct {
			Thresholds map[string]float64 `json:"thresholds"`
		} `json:"options"`
	}
	if err := json.Unmarshal(data, &monitors); err != nil {
		t.Fatalf("okta-monitors.json: %v", err)
	}
	covered := map[string]bool{}
	var refs []datadogRef
	for _, m := range monitors {
		where := "okta-monitors.json / " + m.Name
		if m.Type != "metric alert" || m.Name == "" || m.Message == "" {
			t.Errorf("%s: want type metric alert, a name and a message", where)
		}
		th := monitorThreshold.FindStringSubmatch(m.Query)
		critical, ok := m.Options.Thresholds["critical"]
		if th == nil || !ok {
			t.Errorf("%s: the query must end with a comparison and options.thresholds.critical must be set", where)
		} else if v, _ := strconv.ParseFloat(th[2], 64); v != critical {
			t.Errorf("%s: query threshold %s, options.thresholds.critical %v", where, th[2], critical)
		}
		refs = append(refs, queryRefs(t, where, m.Query, nil)...)
		for _, tag := range m.Tags {
			if a, ok := strings.CutPrefix(tag, "prometheus_alert:"); ok {
				covered[a] = true
			}
		}
	}
	rules, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "prometheus", "okta-alerts.rules.yaml"))
	mustf(t, err, "read okta-alerts.rules.yaml")
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	mustf(t, yaml.Unmarshal(rules, &file), "parse okta-alerts.rules.yaml")
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" && !covered[r.Alert] {
				t.Errorf("alert %s of okta-alerts.rules.yaml has no Datadog monitor (tag prometheus_alert:%s)", r.Alert, r.Alert)
			}
		}
	}
	return refs
}

// receiverMetricTags reads the receiver's metadata.yaml: metric name → its attribute names.
func receiverMetricTags(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "receiver", "oktareceiver", "metadata.yaml"))
	mustf(t, err, "read the receiver's metadata.yaml")
	var md struct {
		Attributes map[string]struct {
			NameOverride string `yaml:"name_override"`
		} `yaml:"attributes"`
		Metrics map[string]struct {
			Attributes []string `yaml:"attributes"`
		} `yaml:"metrics"`
	}
	mustf(t, yaml.Unmarshal(data, &md), "parse metadata.yaml")
	out := map[string][]string{}
	for name, m := range md.Metrics {
		out[name] = []string{}
		for _, a := range m.Attributes {
			if o := md.Attributes[a].NameOverride; o != "" {
				a = o
			}
			out[name] = append(out[name], a)
		}
	}
	return out
}

// TestShipDatadogMatchesWhatTheCollectorSends checks the Datadog dashboards and monitors of
// deploy/datadog against the wire: it runs config/datadog-otlp.yaml as shipped (its OTLP exporter
// pointed at a local sink instead of the Datadog Agent, shorter intervals) on the simulator, and
// every metric and tag key a dashboard or monitor uses must be one the collector sent. Datadog
// keeps the OTLP metric names and attribute keys.
func TestShipDatadogMatchesWhatTheCollectorSends(t *testing.T) {
	refs := append(datadogDashboardRefs(t), datadogMonitorRefs(t)...)
	used := map[string]bool{}
	for _, r := range refs {
		used[r.metric] = true
	}
	declared := receiverMetricTags(t)
	for m := range onlyOnFaults {
		if !used[m] {
			t.Errorf("onlyOnFaults lists %s, which no Datadog dashboard or monitor uses: remove it", m)
		}
	}

	sim := startSimulator(t, "--users", "30", "--groups", "6", "--apps", "6", "--events-per-sec", "20")
	sink := startMetricInventory(t)
	ready, live, telemetry := freePort(t), freePort(t), freePort(t)
	overrides := healthOverrides(ready, live, telemetry)
	overrides["receivers::okta::collection_interval"] = "2s"
	overrides["processors::rules::summary::interval"] = "2s"
	overrides["exporters::otlp_http/datadog::sending_queue::batch::flush_timeout"] = "1s"
	env := append(shippedEnv(t, sim, simToken), "DD_OTLP_ENDPOINT="+sink.url)
	p := startShippedConfig(t, "datadog-otlp.yaml", env, overrides)
	waitHTTP(t, p, fmt.Sprintf("http://127.0.0.1:%d/ready", ready), 60*time.Second)

	var missing []string
	var sent map[string][]string
	arrived := waitFor(t.Context(), 90*time.Second, 500*time.Millisecond, func() bool {
		sent, _ = sink.snapshot()
		missing = missing[:0]
		for m := range used {
			if _, ok := sent[m]; !ok && onlyOnFaults[m] == "" {
				missing = append(missing, m)
			}
		}
		return len(missing) == 0
	})
	if !arrived {
		slices.Sort(missing)
		t.Fatalf("metrics used in deploy/datadog that the collector never sent within 90 s: %v\nsent: %v", missing, slices.Sorted(maps.Keys(sent)))
	}
	_, types := sink.snapshot()
	checked := map[string]bool{}
	for _, r := range refs {
		tags, ok := sent[r.metric]
		source := "sent"
		if !ok {
			d, declaredOK := declared[r.metric]
			if !declaredOK {
				t.Errorf("%s: metric %s is neither sent nor declared by the receiver", r.where, r.metric)
				continue
			}
			tags, source = append(slices.Clone(d), copiedOrgTags...), "declared in metadata.yaml ("+onlyOnFaults[r.metric]+")"
		}
		for _, tag := range r.tags {
			if !slices.Contains(tags, tag) {
				t.Errorf("%s: %s has no tag %s (%s: %v)", r.where, r.metric, tag, source, tags)
			}
		}
		checked[r.metric] = true
	}
	for _, m := range slices.Sorted(maps.Keys(checked)) {
		if tags, ok := sent[m]; ok {
			t.Logf("%-36s %-18s sent with %v", m, types[m], tags)
		} else {
			t.Logf("%-36s %-18s not sent in this run: %s", m, "", onlyOnFaults[m])
		}
	}
	t.Logf("%d Datadog queries checked against %d metrics the collector sent", len(refs), len(sent))
}

func TestParseDatadogQuery(t *testing.T) {
	tpl := map[string]string{"$org": "okta.org.url"}
	cases := map[string][]datadogRef{
		"sum:okta.users{$org,!okta.user.status:deprovisioned} by {okta.user.status}": {
			{metric: "okta.users", tags: []string{"okta.org.url", "okta.user.status", "okta.user.status"}},
		},
		"sum:okta.api.requests{$org AND okta.api.status_class IN (5xx, error)}.as_count()": {
			{metric: "okta.api.requests", tags: []string{"okta.org.url", "okta.api.status_class"}},
		},
		"min(last_5m):max:okta.rate_limit.remaining{*} by {okta.org.url,okta.rate_limit.bucket} / max:okta.rate_limit.limit{*} by {okta.org.url} < 0.1": {
			{metric: "okta.rate_limit.remaining", tags: []string{"okta.org.url", "okta.rate_limit.bucket"}},
			{metric: "okta.rate_limit.limit", tags: []string{"okta.org.url"}},
		},
		"change(min(last_1h),last_1d):sum:okta.compliance.failing_resources{compliance.severity NOT IN (medium, low)} by {okta.org.url} > 0": {
			{metric: "okta.compliance.failing_resources", tags: []string{"compliance.severity", "okta.org.url"}},
		},
	}
	for q, want := range cases {
		got, err := parseDatadogQuery(q, tpl)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parseDatadogQuery(%s)\n got %v\nwant %v", q, got, want)
		}
	}
	if _, err := parseDatadogQuery("sum:okta.users{$nope}", tpl); err == nil {
		t.Error("an undefined template variable must be an error")
	}
	if _, err := parseDatadogQuery("okta.users", tpl); err == nil {
		t.Error("a string without a metric query must be an error")
	}
}
