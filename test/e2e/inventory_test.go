package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// collectorConfig is the pipeline the inventory test runs: okta → rules →
// file exporter for records, okta → prometheus exporter for metrics.
const inventoryConfig = `
extensions:
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage/okta
    collection_interval: 1s
    inventory:
      resources:
        group_membership: {enabled: true}
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
  extensions: [file_storage/okta, health_check]
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

func render(tmpl string, vars map[string]string) string {
	for k, v := range vars {
		tmpl = strings.ReplaceAll(tmpl, "{{"+k+"}}", v)
	}
	return tmpl
}

// startCollector runs otelcol-okta with config and waits for its health check.
func startCollector(t testing.TB, dir, config string, healthPort int, env ...string) *process {
	t.Helper()
	path := writeFile(t, dir, "config.yaml", config)
	p := startProcess(t, "otelcol-okta", collectorBin, append([]string{"OKTA_API_TOKEN=" + simToken}, env...), "--config", path)
	waitHTTP(t, p, "http://127.0.0.1:"+strconv.Itoa(healthPort)+"/", 60*time.Second)
	return p
}

// TestInventoryEndToEnd runs the real binaries: every object of the
// simulator's ground truth must reach the file exporter as a snapshot record,
// and the inventory metrics on the Prometheus endpoint must equal the
// ground-truth counts.
func TestInventoryEndToEnd(t *testing.T) {
	sim := startSimulator(t, "--users", "300", "--groups", "40", "--apps", "25", "--events-per-sec", "0", "--rate-limit-window", "5s")
	dir := t.TempDir()
	health, prom := freePort(t), freePort(t)
	cfg := render(inventoryConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "PROM": strconv.Itoa(prom),
	})
	startCollector(t, dir, cfg, health)
	gt := sim.groundTruth(t)

	var missing map[string][]string
	complete := waitFor(context.Background(), 120*time.Second, 500*time.Millisecond, func() bool {
		recs, err := readRecords(filepath.Join(dir, "records.jsonl"))
		if err != nil {
			return false
		}
		missing = missingSnapshots(gt, recs)
		return len(missing) == 0
	})
	if !complete {
		for typ, ids := range missing {
			t.Errorf("resource type %s: %d of %d objects never reached the exporter (first: %v)",
				typ, len(ids), len(gt.IDs[typ]), ids[:min(3, len(ids))])
		}
		t.FailNow()
	}
	total := 0
	for _, ids := range gt.IDs {
		total += len(ids)
	}
	t.Logf("all %d ground-truth objects of %d resource types arrived as snapshot records", total, len(gt.IDs))

	promURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)
	var mismatches []string
	ok := waitFor(context.Background(), 30*time.Second, time.Second, func() bool {
		samples, err := scrapeProm(promURL)
		if err != nil {
			mismatches = []string{err.Error()}
			return false
		}
		mismatches = compareInventoryMetrics(gt, samples)
		return len(mismatches) == 0
	})
	if !ok {
		sort.Strings(mismatches)
		t.Fatalf("inventory metrics differ from the ground truth (%d):\n%s", len(mismatches), strings.Join(mismatches[:min(40, len(mismatches))], "\n"))
	}
}

// missingSnapshots returns, per resource type, the ground-truth ids that have
// no okta.inventory.snapshot record.
func missingSnapshots(gt groundTruth, recs []record) map[string][]string {
	seen := map[string]map[string]bool{}
	for _, r := range recs {
		if r.EventName != "okta.inventory.snapshot" {
			continue
		}
		typ := r.attr("okta.resource.type")
		if seen[typ] == nil {
			seen[typ] = map[string]bool{}
		}
		seen[typ][r.attr("okta.resource.id")] = true
	}
	missing := map[string][]string{}
	for typ, ids := range gt.IDs {
		for _, id := range ids {
			if !seen[typ][id] {
				missing[typ] = append(missing[typ], id)
			}
		}
	}
	return missing
}
