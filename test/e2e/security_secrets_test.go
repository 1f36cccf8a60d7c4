package e2e

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// leakConfig runs every output a user can switch on: the debug exporter at detailed
// verbosity, the file exporter, the Prometheus exporter, zpages, pprof, the collector's
// own logs at debug level (stderr and a file) and its own metrics (Prometheus pull).
// AUTH is the rendered authentication block; the secrets come from the environment.
const leakConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
  zpages:
    endpoint: 127.0.0.1:{{ZPAGES}}
  pprof:
    endpoint: 127.0.0.1:{{PPROF}}
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
receivers:
  okta:
    endpoint: {{SIM}}
{{AUTH}}
    storage: file_storage/okta
    collection_interval: 1s
    inventory:
      incremental_interval: 2s
    system_log:
      poll_interval: 1s
    event_hooks:
      enabled: true
      server:
        endpoint: 127.0.0.1:{{HOOK}}
      path: /okta/events
      secret: ${env:OKTA_HOOK_SECRET}
processors:
  rules:
exporters:
  debug:
    verbosity: detailed
  file/okta:
    path: {{DIR}}/out/records.jsonl
    flush_interval: 100ms
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  extensions: [health_check, zpages, pprof, file_storage/okta]
  telemetry:
    logs:
      level: debug
      output_paths: [stderr, {{DIR}}/out/collector.log]
      error_output_paths: [stderr, {{DIR}}/out/collector.log]
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{TELEMETRY}}
  pipelines:
    logs:
      receivers: [okta]
      processors: [rules]
      exporters: [debug, file/okta]
    metrics:
      receivers: [okta]
      exporters: [prometheus, debug]
`

// leakSim is a small org: the scan needs every kind of object, not volume.
var leakSim = []string{"--users", "40", "--groups", "8", "--apps", "6", "--events-per-sec", "0", "--history-events", "50"}

// leakAuth is one way of authenticating: its config block, environment and secrets.
type leakAuth struct {
	oauth   string // the run authenticates with OAuth: the token scheme that must be seen (Bearer, DPoP)
	block   string
	env     []string
	needles []secretNeedle
}

// TestSecuritySecretsNeverLeak runs the real collector on the simulator once per
// authentication method (API token; OAuth private_key_jwt with the simulator's PKCS#1
// key file; the same with the app requiring DPoP (--dpop) and a DPoP key given inline;
// the key converted to PKCS#8 and given inline through the environment),
// each time with the event hook endpoint receiving deliveries and with every output on.
// It provokes error paths too (Okta 5xx, truncated bodies, connection resets; hook
// requests with a wrong secret and bad bodies), then scans every output for the
// credential, the hook secret and the OIDC app's client_secret: none may appear. The
// OIDC app's record must carry client_secret as "[REDACTED]".
func TestSecuritySecretsNeverLeak(t *testing.T) {
	t.Run("api_token", func(t *testing.T) {
		token := distinctiveSecret(t, "ssws-e2e-")
		runLeakScenario(t, []string{"--token", token}, func(_ *testing.T, _ string) leakAuth {
			return leakAuth{
				block:   "    api_token: ${env:OKTA_API_TOKEN}",
				env:     []string{"OKTA_API_TOKEN=" + token},
				needles: []secretNeedle{{"API token", token}},
			}
		})
	})
	t.Run("oauth_pkcs1_file", func(t *testing.T) {
		runLeakScenario(t, []string{"--oauth-key-out", "{{DIR}}/sim-key.pem"}, func(t *testing.T, dir string) leakAuth {
			keyFile := filepath.Join(dir, "sim-key.pem")
			pkcs1 := readKeyFile(t, keyFile)
			return leakAuth{
				oauth:   "Bearer",
				block:   oauthBlock("private_key_file: " + keyFile),
				needles: pemBodyNeedles("private key (PKCS#1)", pkcs1),
			}
		})
	})
	t.Run("oauth_dpop_required", func(t *testing.T) {
		runLeakScenario(t, []string{"--oauth-key-out", "{{DIR}}/sim-key.pem", "--dpop"}, func(t *testing.T, dir string) leakAuth {
			keyFile := filepath.Join(dir, "sim-key.pem")
			pkcs1 := readKeyFile(t, keyFile)
			dpopKey := ecKeyPEM(t)
			return leakAuth{
				oauth: "DPoP",
				block: oauthBlock("private_key_file: " + keyFile + "\n      dpop_private_key: ${env:OKTA_DPOP_KEY}"),
				env:   []string{"OKTA_DPOP_KEY=" + string(dpopKey)},
				needles: append(pemBodyNeedles("private key (PKCS#1)", pkcs1),
					pemBodyNeedles("DPoP private key", dpopKey)...),
			}
		})
	})
	t.Run("oauth_pkcs8_inline", func(t *testing.T) {
		runLeakScenario(t, []string{"--oauth-key-out", "{{DIR}}/sim-key.pem"}, func(t *testing.T, dir string) leakAuth {
			pkcs1 := readKeyFile(t, filepath.Join(dir, "sim-key.pem"))
			pkcs8 := toPKCS8(t, pkcs1)
			return leakAuth{
				oauth:   "Bearer",
				block:   oauthBlock("private_key: ${env:OKTA_PRIVATE_KEY}"),
				env:     []string{"OKTA_PRIVATE_KEY=" + string(pkcs8)},
				needles: append(pemBodyNeedles("private key (PKCS#8)", pkcs8), pemBodyNeedles("private key (PKCS#1 form)", pkcs1)...),
			}
		})
	})
}

// oauthBlock is the receiver's oauth block for the simulator's service app.
func oauthBlock(keyLine string) string {
	return "    oauth:\n      client_id: 0oasimulatorclient01\n      " + keyLine
}

// readKeyFile reads the PEM private key the simulator wrote with --oauth-key-out.
func readKeyFile(t *testing.T, path string) []byte {
	t.Helper()
	var data []byte
	if !waitFor(context.Background(), 10*time.Second, 50*time.Millisecond, func() bool {
		b, err := os.ReadFile(path)
		data = b
		return err == nil && strings.Contains(string(b), "-----END")
	}) {
		t.Fatalf("the simulator did not write its OAuth key to %s", path)
	}
	if !strings.Contains(string(data), "BEGIN RSA PRIVATE KEY") {
		t.Fatalf("%s is not a PKCS#1 PEM key (first line %q)", path, strings.SplitN(string(data), "\n", 2)[0])
	}
	return data
}

// toPKCS8 converts a PKCS#1 RSA private key PEM to PKCS#8 ("PRIVATE KEY").
func toPKCS8(t *testing.T, pkcs1 []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(pkcs1)
	if block == nil {
		t.Fatalf("no PEM block in the simulator's key")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	mustf(t, err, "parse the PKCS#1 key")
	der, err := x509.MarshalPKCS8PrivateKey(key)
	mustf(t, err, "marshal PKCS#8")
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// runLeakScenario starts the simulator (simArgs may use {{DIR}}), the collector with
// leakConfig and the authentication from auth, drives it through normal and error
// paths, and scans every output.
func runLeakScenario(t *testing.T, simArgs []string, auth func(t *testing.T, dir string) leakAuth) {
	dir := t.TempDir()
	args := append([]string{}, leakSim...)
	for _, a := range simArgs {
		args = append(args, strings.ReplaceAll(a, "{{DIR}}", dir))
	}
	sim := startSimulator(t, args...)
	a := auth(t, dir)
	hookSecret := distinctiveSecret(t, "hook-e2e-")
	oidcID, clientSecret := findOIDCClientSecret(t, sim)
	needles := append(a.needles,
		secretNeedle{"event hook secret", hookSecret},
		secretNeedle{"OIDC app client_secret", clientSecret})

	ports := map[string]int{}
	for _, k := range []string{"HEALTH", "ZPAGES", "PPROF", "HOOK", "PROM", "TELEMETRY"} {
		ports[k] = freePort(t)
	}
	// The collector talks to the org through a recorder that learns the OAuth access
	// tokens the simulator mints, so that they are scanned for too.
	recorder := startCredentialRecorder(t, sim.url)
	vars := map[string]string{"DIR": dir, "SIM": recorder.url, "AUTH": a.block}
	for k, p := range ports {
		vars[k] = strconv.Itoa(p)
	}
	mustf(t, os.MkdirAll(filepath.Join(dir, "out"), 0o755), "mkdir out")
	env := append([]string{"OKTA_HOOK_SECRET=" + hookSecret}, a.env...)
	cfg := render(leakConfig, vars)
	coll := startCollector(t, dir, cfg, ports["HEALTH"], env...)

	// Event hooks: the simulator verifies the endpoint, then delivers every new event.
	hookURL := fmt.Sprintf("http://127.0.0.1:%d/okta/events", ports["HOOK"])
	sim.control(t, http.MethodPost, "/_sim/hooks", map[string]any{
		"url": hookURL, "authHeader": map[string]string{"key": "Authorization", "value": hookSecret},
	})
	if hooks := sim.registeredHooks(t); len(hooks) != 1 || hooks[0].VerificationStatus != "VERIFIED" {
		t.Fatalf("the collector's hook endpoint did not pass the simulator's verification: %+v", hooks)
	}
	const injected = 30
	sim.control(t, http.MethodPost, "/_sim/events", map[string]any{"count": injected})

	records := filepath.Join(dir, "out", "records.jsonl")
	var oidc *record
	ok := waitFor(context.Background(), 60*time.Second, 250*time.Millisecond, func() bool {
		recs, err := readRecords(records)
		if err != nil {
			return false
		}
		oidc = findInventoryRecord(recs, "application", oidcID)
		hooks := sim.registeredHooks(t)
		return oidc != nil && len(hooks) == 1 && hooks[0].EventsDelivered >= injected
	})
	if !ok {
		t.Fatalf("within 60 s: OIDC app record found=%v, hooks=%+v", oidc != nil, sim.registeredHooks(t))
	}
	assertClientSecretRedacted(t, *oidc)

	// Error paths: Okta faults on every API path until the collector has met each kind,
	// and bad hook requests.
	faultsBefore := faultCounts(t, sim)
	sim.control(t, http.MethodPut, "/_sim/faults", map[string]any{"errorRate": 0.3, "truncateRate": 0.2, "resetRate": 0.1})
	probeHookErrors(t, hookURL, hookSecret)
	var met map[string]int
	if !waitFor(context.Background(), 60*time.Second, 200*time.Millisecond, func() bool {
		met = faultCounts(t, sim)
		for kind, n := range met {
			if n <= faultsBefore[kind] {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("within 60 s the collector did not meet every kind of injected fault: before %v, now %v", faultsBefore, met)
	}
	sim.control(t, http.MethodDelete, "/_sim/faults", nil)
	// The collector recovers: a System Log poll that met a fault is retried after its backoff,
	// and its error has been handled (and logged) by then. Two answered polls after the faults
	// were cleared show the poller is back on its normal path.
	polls := sim.systemLogPolls(t)
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool {
		return sim.systemLogPolls(t) >= polls+2
	}) {
		t.Fatalf("the collector did not poll the System Log within 30 s after the faults were cleared")
	}
	if coll.exited() {
		t.Fatalf("the collector exited during the run: %v", coll.err)
	}

	outputs := collectLeakOutputs(t, coll, dir, ports, env)
	sent, tokens := recorder.needles()
	if a.oauth != "" && (tokens[a.oauth] == 0 || len(sent) < 2) {
		t.Errorf("OAuth run: the recorder saw %v access tokens and %d credentials in all; the collector did not use %s tokens", tokens, len(sent), a.oauth)
	}
	needles = append(needles, sent...)
	// Canaries: the scanned outputs do carry the run's objects and metrics, so a clean
	// scan means the secrets were kept out, not that the outputs were empty.
	requireOutputContains(t, outputs, oidcID, "collector stdout+stderr", "file: collector.log", "file: records.jsonl")
	requireOutputContains(t, outputs, "okta_", "prometheus exporter /metrics")
	requireOutputContains(t, outputs, "otelcol_", "collector telemetry /metrics")
	requireOutputContains(t, outputs, "debug", "file: collector.log")
	scanForSecrets(t, outputs, needles)
}

// faultCounts returns the simulator's counts of injected 5xx, truncated bodies and
// connection resets.
func faultCounts(t *testing.T, sim *simulator) map[string]int {
	t.Helper()
	var st struct {
		Injected5xx int `json:"injected5xx"`
		Truncated   int `json:"truncated"`
		Resets      int `json:"resets"`
	}
	sim.getJSON(t, "/_sim/stats", &st)
	return map[string]int{"injected5xx": st.Injected5xx, "truncated": st.Truncated, "resets": st.Resets}
}

// collectLeakOutputs gathers every output of a leakConfig run: what the running collector
// serves and print-config, then (after a graceful stop) its stdout/stderr, the files it
// wrote (log, file exporter) and the storage extension's files.
func collectLeakOutputs(t *testing.T, coll *process, dir string, ports map[string]int, env []string) map[string][]byte {
	t.Helper()
	outputs := liveOutputs(t, ports)
	outputs["print-config (redacted)"] = printEffectiveConfig(t, dir, env)
	coll.stop(15 * time.Second)
	outputs["collector stdout+stderr"] = []byte(coll.out.String())
	for k, v := range readTree(t, "file", filepath.Join(dir, "out")) {
		outputs[k] = v
	}
	for k, v := range readTree(t, "storage", filepath.Join(dir, "storage")) {
		outputs[k] = v
	}
	requireOutputs(t, outputs, "collector stdout+stderr", "file: collector.log", "file: records.jsonl",
		"prometheus exporter /metrics", "collector telemetry /metrics", "zpages /debug/servicez",
		"zpages /debug/pipelinez", "zpages /debug/extensionz", "print-config (redacted)")
	return outputs
}

// requireOutputContains fails unless each named output contains want.
func requireOutputContains(t *testing.T, outputs map[string][]byte, want string, names ...string) {
	t.Helper()
	for _, n := range names {
		if !strings.Contains(string(outputs[n]), want) {
			t.Errorf("output %q does not contain %q: the scan would not see what the run produced", n, want)
		}
	}
}

// liveOutputs fetches what a running collector serves: both Prometheus endpoints, the
// zpages pages and pprof's command line and goroutine dump.
func liveOutputs(t *testing.T, ports map[string]int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	get := func(name, url string, required bool) {
		body, err := fetchBody(url)
		if err != nil {
			if required {
				t.Errorf("%s: %v", name, err)
			}
			return
		}
		out[name] = body
	}
	base := func(key string) string { return "http://127.0.0.1:" + strconv.Itoa(ports[key]) }
	get("prometheus exporter /metrics", base("PROM")+"/metrics", true)
	get("collector telemetry /metrics", base("TELEMETRY")+"/metrics", true)
	for _, page := range []string{"servicez", "pipelinez", "extensionz", "featurez"} {
		get("zpages /debug/"+page, base("ZPAGES")+"/debug/"+page, page != "featurez")
	}
	get("zpages /debug/tracez", base("ZPAGES")+"/debug/tracez", false)
	get("pprof cmdline", base("PPROF")+"/debug/pprof/cmdline", true)
	get("pprof goroutine dump", base("PPROF")+"/debug/pprof/goroutine?debug=2", true)
	get("health_check", base("HEALTH")+"/", true)
	return out
}

// printEffectiveConfig runs `otelcol-okta print-config` (redacted mode, the default) on the
// run's config with the same environment and returns its output.
func printEffectiveConfig(t *testing.T, dir string, env []string) []byte {
	t.Helper()
	cmd := exec.Command(collectorBin, "print-config", "--config", filepath.Join(dir, "config.yaml"))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("print-config failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "[REDACTED]") {
		t.Errorf("print-config shows no [REDACTED] value: the secrets are configured, so it should")
	}
	return out
}

// requireOutputs fails unless every named output was collected and is not empty, so a
// scan cannot pass because an output was missing.
func requireOutputs(t *testing.T, outputs map[string][]byte, names ...string) {
	t.Helper()
	for _, n := range names {
		if len(outputs[n]) == 0 {
			t.Errorf("output %q was not collected or is empty", n)
		}
	}
}

// findOIDCClientSecret returns the id and client_secret of the simulator's OIDC app that
// carries credentials.oauthClient.client_secret, read through the control API.
func findOIDCClientSecret(t *testing.T, sim *simulator) (id, secret string) {
	t.Helper()
	for _, appID := range sim.groundTruth(t).IDs["application"] {
		var app struct {
			Credentials struct {
				OAuthClient struct {
					ClientSecret string `json:"client_secret"`
				} `json:"oauthClient"`
			} `json:"credentials"`
		}
		sim.getJSON(t, "/_sim/resources/application/"+appID, &app)
		if s := app.Credentials.OAuthClient.ClientSecret; s != "" {
			return appID, s
		}
	}
	t.Fatalf("the simulator's org has no application with credentials.oauthClient.client_secret")
	return "", ""
}

// findInventoryRecord returns the last inventory record of the given type and id, or nil.
func findInventoryRecord(recs []record, typ, id string) *record {
	var found *record
	for i := range recs {
		r := &recs[i]
		if r.attr("okta.record.kind") == "inventory" && r.attr("okta.resource.type") == typ && r.attr("okta.resource.id") == id {
			found = r
		}
	}
	return found
}

// assertClientSecretRedacted checks the OIDC app record's body: client_secret is
// "[REDACTED]" and the non-secret client_id next to it is kept.
func assertClientSecretRedacted(t *testing.T, r record) {
	t.Helper()
	body := r.Body.Map()
	creds, ok := body.Get("credentials")
	if !ok {
		t.Fatalf("the OIDC app record's body has no credentials: %s", r.Body.AsString())
	}
	oc, ok := creds.Map().Get("oauthClient")
	if !ok {
		t.Fatalf("the OIDC app record's body has no credentials.oauthClient: %s", r.Body.AsString())
	}
	secret, ok := oc.Map().Get("client_secret")
	if !ok || secret.AsString() != "[REDACTED]" {
		t.Errorf("credentials.oauthClient.client_secret = %q (present %v), want \"[REDACTED]\"", secret.AsString(), ok)
	}
	if id, ok := oc.Map().Get("client_id"); !ok || id.AsString() == "" || id.AsString() == "[REDACTED]" {
		t.Errorf("credentials.oauthClient.client_id = %q: redaction must keep non-secret fields", id.AsString())
	}
}
