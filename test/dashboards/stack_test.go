package dashboards

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// simToken is the SSWS token the test's simulator accepts.
const simToken = "dashboards-e2e-token"

// stack is the simulator, the collector on it, and a real Prometheus scraping the collector.
type stack struct {
	simURL    string
	prom      *promClient
	processes []*process
	// commonSummary describes the last comparison of the common queries with the ground truth.
	commonSummary []string
}

// collectorConfig is the collector configuration of the end-to-end test: the okta receiver on the
// simulator with short intervals, the rules processor, and the metric connectors of the production
// configs, exported to a Prometheus endpoint.
const collectorConfigTemplate = `
extensions:
  file_storage:
    directory: %[1]s
  health_check:
    http:
      endpoint: 127.0.0.1:%[2]d
      status:
        path: /
    component_health:
      include_permanent_errors: true
receivers:
  okta:
    endpoint: %[3]s
    api_token: %[4]s
    storage: file_storage
    collection_interval: 2s
    inventory:
      full_sync_interval: 10m
      incremental_interval: 5s
    system_log:
      poll_interval: 1s
      initial_lookback: 1h
    rate_limit:
      budget: 0.5
processors:
  rules:
    packs: [okta-posture, okta-detections]
    summary:
      interval: 2s
  transform/okta_event_type:
    error_mode: ignore
    log_statements:
      - conditions: ['log.attributes["okta.record.kind"] == "system_log"']
        statements: ['set(log.attributes["okta.event.type"], log.event_name)']
%[5]s
exporters:
  prometheus:
    endpoint: 127.0.0.1:%[6]d
    translation_strategy: UnderscoreEscapingWithSuffixes
    resource_constant_labels:
      included: ["okta.*"]
service:
  extensions: [file_storage, health_check]
  telemetry:
    metrics:
      level: basic
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %[7]d
                with_resource_constant_labels:
                  included: [service.name]
  pipelines:
    logs:
      receivers: [okta]
      processors: [rules, transform/okta_event_type]
      exporters: [count/okta, signal_to_metrics/okta]
    metrics:
      receivers: [okta, count/okta, signal_to_metrics/okta]
      exporters: [prometheus]
`

// connectorsFromProductionConfig returns the connectors: block of config/prometheus-otlp.yaml, so
// that the test derives its metrics exactly as the shipped configs do.
func connectorsFromProductionConfig(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "config", "prometheus-otlp.yaml"))
	if err != nil {
		t.Fatalf("read config/prometheus-otlp.yaml: %v", err)
	}
	text := string(data)
	start := strings.Index(text, "\nconnectors:\n")
	if start < 0 {
		t.Fatal("config/prometheus-otlp.yaml has no connectors: block")
	}
	rest := text[start+1:]
	end := strings.Index(rest, "\nexporters:\n")
	if end < 0 {
		t.Fatal("config/prometheus-otlp.yaml: no exporters: block after connectors:")
	}
	return rest[:end+1]
}

// The scrape jobs of the test's Prometheus. The names are those of annotation-based scraping:
// no rule or dashboard may depend on a particular job name.
const (
	oktaMetricsJob = "kubernetes-service-endpoints" // :9464-like, the okta_* metrics
	telemetryJob   = "kubernetes-pods"              // :8888-like, the collector's own telemetry
)

// prometheusConfigTemplate scrapes the collector every 2 s (a slow scrape on a loaded machine would
// otherwise time out and mark every series stale).
const prometheusConfigTemplate = `
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s
rule_files:
%[1]s
scrape_configs:
  - job_name: ` + oktaMetricsJob + `
    static_configs:
      - targets: ['127.0.0.1:%[2]d']
  - job_name: ` + telemetryJob + `
    static_configs:
      - targets: ['127.0.0.1:%[3]d']
`

// startStack starts the simulator, the collector and Prometheus, and waits until each answers.
func startStack(t *testing.T) *stack {
	t.Helper()
	prometheusBin := requireTool(t, "prometheus")
	collector := collectorBinary(t)
	sim := simulatorBinary(t)
	dir := t.TempDir()

	simPort := freePort(t)
	simURL := fmt.Sprintf("http://127.0.0.1:%d", simPort)
	s := &stack{simURL: simURL}
	s.processes = append(s.processes, startProcess(t, "oktasim", sim,
		"--addr", fmt.Sprintf("127.0.0.1:%d", simPort), "--control", "--token", simToken,
		"--users", "40", "--groups", "10", "--apps", "10", "--events-per-sec", "10"))
	waitHTTP(t, s, simURL+"/.well-known/okta-organization")

	healthPort, metricsPort, telemetryPort := freePort(t), freePort(t), freePort(t)
	storage := filepath.Join(dir, "storage")
	if err := os.MkdirAll(storage, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(collectorConfigTemplate, storage, healthPort, simURL, simToken,
		connectorsFromProductionConfig(t), metricsPort, telemetryPort)
	cfgPath := filepath.Join(dir, "collector.yaml")
	writeFile(t, cfgPath, cfg)
	s.processes = append(s.processes, startProcess(t, "otelcol-okta", collector, "--config", cfgPath))
	waitHTTP(t, s, fmt.Sprintf("http://127.0.0.1:%d/", healthPort))

	var rules strings.Builder
	for _, f := range ruleFiles(t) {
		rules.WriteString("  - " + fastRuleCopy(t, f, dir) + "\n")
	}
	promPort := freePort(t)
	promCfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promCfg, fmt.Sprintf(prometheusConfigTemplate, rules.String(), metricsPort, telemetryPort))
	s.processes = append(s.processes, startProcess(t, "prometheus", prometheusBin,
		"--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort)))
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	waitHTTP(t, s, promURL+"/-/ready")
	s.prom = newPromClient(promURL)
	return s
}

// fastRuleCopy copies a rule file with its group intervals set to 2s, so that recording rules are
// evaluated within the test's time (the expressions are unchanged).
func fastRuleCopy(t *testing.T, file, dir string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	out := filepath.Join(dir, filepath.Base(file))
	writeFile(t, out, strings.ReplaceAll(string(data), "    interval: 1m\n", "    interval: 2s\n"))
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// alive fails the test if one of the stack's processes has exited.
func (s *stack) alive(t *testing.T) {
	t.Helper()
	for _, p := range s.processes {
		if err := p.exited(); err != nil {
			t.Fatal(err)
		}
	}
}

// waitHTTP waits up to 30 s for url to answer 200.
func waitHTTP(t *testing.T, s *stack, url string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.alive(t)
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 30s (last error %v)", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// groundTruth is the part of GET /_sim/groundtruth the common queries are checked against.
type groundTruth struct {
	OrgID  string `json:"orgId"`
	Counts struct {
		UsersByStatus             map[string]int `json:"usersByStatus"`
		AppsByStatusAndSignOnMode map[string]int `json:"appsByStatusAndSignOnMode"`
		UsersPerApp               map[string]int `json:"usersPerApp"`
		RulesPerPolicy            map[string]int `json:"rulesPerPolicy"`
		FactorsByTypeAndStatus    map[string]int `json:"factorsByTypeAndStatus"`
	} `json:"counts"`
}

func (s *stack) groundTruth(t *testing.T) groundTruth {
	t.Helper()
	resp, err := http.Get(s.simURL + "/_sim/groundtruth")
	if err != nil {
		t.Fatalf("GET /_sim/groundtruth: %v", err)
	}
	defer resp.Body.Close()
	var gt groundTruth
	if err := json.NewDecoder(resp.Body).Decode(&gt); err != nil {
		t.Fatalf("decode ground truth: %v", err)
	}
	return gt
}
