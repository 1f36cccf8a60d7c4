package dashboards

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestRemoteWriteCarriesTheCountConnectorSums runs config/prometheus-remote-write.yaml as shipped
// against a real Prometheus with its remote-write receiver on. Remote write takes cumulative sums
// only: the count connector's delta sums reach Prometheus because the config's delta_to_cumulative
// processor converts them. A control pipeline added to the same collector sends the same
// connectors' output without the processor (external label pipeline="raw"): its gauge arrives,
// its delta sums do not.
func TestRemoteWriteCarriesTheCountConnectorSums(t *testing.T) {
	prometheusBin := requireTool(t, "prometheus")
	dir := t.TempDir()

	promPort := freePort(t)
	promCfg := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promCfg, "global:\n  evaluation_interval: 2s\n")
	prom := startProcess(t, "prometheus", prometheusBin, "--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb"), "--web.enable-remote-write-receiver",
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	promURL := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	waitOK(t, prom, promURL+"/-/ready")

	simPort := freePort(t)
	simURL := fmt.Sprintf("http://127.0.0.1:%d", simPort)
	sim := startProcess(t, "oktasim", simulatorBinary(t), "--addr", fmt.Sprintf("127.0.0.1:%d", simPort),
		"--control", "--token", simToken, "--users", "30", "--groups", "6", "--apps", "6", "--events-per-sec", "20")
	waitOK(t, sim, simURL+"/.well-known/okta-organization")

	writeURL := promURL + "/api/v1/write"
	t.Setenv("OKTA_ORG_URL", simURL)
	t.Setenv("OKTA_API_TOKEN", simToken)
	t.Setenv("OTELCOL_OKTA_STORAGE_DIR", filepath.Join(dir, "storage"))
	t.Setenv("PROM_REMOTE_WRITE_URL", writeURL)
	t.Setenv("OTLP_LOGS_ENDPOINT", fmt.Sprintf("127.0.0.1:%d", freePort(t))) // no logs backend: the disk queue holds the records
	ready, live, telemetry := freePort(t), freePort(t), freePort(t)
	overrides := []string{
		fmt.Sprintf("extensions::health_check::http::endpoint: 127.0.0.1:%d", ready),
		fmt.Sprintf("extensions::health_check/live::http::endpoint: 127.0.0.1:%d", live),
		fmt.Sprintf("service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}}]", telemetry),
		"receivers::okta::collection_interval: 2s",
		"processors::rules::summary::interval: 2s",
		// The control: the connectors' output without delta_to_cumulative.
		fmt.Sprintf("exporters::prometheus_remote_write/raw: {endpoint: %q, external_labels: {pipeline: raw}, translation_strategy: UnderscoreEscapingWithSuffixes}", writeURL),
		"service::pipelines::metrics/raw: {receivers: [count/okta, signal_to_metrics/okta], processors: [memory_limiter], exporters: [prometheus_remote_write/raw]}",
	}
	args := []string{"--config", filepath.Join(repoRoot, "config", "prometheus-remote-write.yaml")}
	for _, o := range overrides {
		args = append(args, "--config", "yaml:"+o)
	}
	collector := startProcess(t, "otelcol-okta", collectorBinary(t), args...)
	waitOK(t, collector, fmt.Sprintf("http://127.0.0.1:%d/live", live))

	client := newPromClient(promURL)
	count := func(expr string) int {
		res, err := client.query("count(" + expr + ")")
		if err != nil || len(res) == 0 {
			return 0
		}
		return int(res[0].Value)
	}
	converted := `okta_system_log_activity_total{pipeline=""}`
	control := `okta_compliance_failing_resources{pipeline="raw"}`
	deadline := time.Now().Add(120 * time.Second)
	for count(converted) == 0 || count(control) == 0 || count(`okta_compliance_findings_total{pipeline=""}`) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 120 s: %s has %d series, %s %d, okta_compliance_findings_total %d",
				converted, count(converted), control, count(control), count(`okta_compliance_findings_total{pipeline=""}`))
		}
		for _, p := range []*process{prom, sim, collector} {
			if err := p.exited(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Second)
	}
	// Both pipelines received the same connector output; only the converted sums were stored.
	if n := count(`{__name__=~"okta_system_log_activity_total|okta_compliance_findings_total", pipeline="raw"}`); n != 0 {
		t.Errorf("the raw pipeline's delta sums reached Prometheus (%d series): the control shows nothing", n)
	}
	if n := count(`okta_users{okta_org_url="` + simURL + `"}`); n == 0 {
		t.Error("okta_users (the receiver's own metrics) did not arrive with the okta_org_url label")
	}
	// Cumulative: the stored total only grows while events keep coming.
	first := sum(t, client, converted)
	deadline = time.Now().Add(60 * time.Second)
	for sum(t, client, converted) <= first {
		if time.Now().After(deadline) {
			t.Fatalf("sum(%s) stayed at %v for 60 s while the simulator produces events", converted, first)
		}
		time.Sleep(time.Second)
	}
	t.Logf("remote write: %d converted System Log activity series (sum %v and growing), %d findings series; the raw pipeline's delta sums: none",
		count(converted), first, count(`okta_compliance_findings_total{pipeline=""}`))
}

func sum(t *testing.T, c *promClient, expr string) float64 {
	t.Helper()
	res, err := c.query("sum(" + expr + ")")
	if err != nil || len(res) == 0 {
		return 0
	}
	return res[0].Value
}

// waitOK waits up to 60 s for url to answer 200.
func waitOK(t *testing.T, p *process, url string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := p.exited(); err != nil {
			t.Fatal(err)
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within 60 s", url)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
