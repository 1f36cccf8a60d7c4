package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hookLimitsConfig runs only what the hook endpoint needs: a small body limit and a
// custom header name, the poller off.
const hookLimitsConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    system_log:
      enabled: false
    event_hooks:
      enabled: true
      server:
        endpoint: 127.0.0.1:{{HOOK}}
      path: /okta/events
      header_name: X-Hook-Key
      secret: ${env:OKTA_HOOK_SECRET}
      max_body_size: {{MAXBODY}}
` + fileExporterTail

// TestSecurityEventHookLimits checks the hook endpoint of the running binary: 401
// without or with a wrong secret (also on the verification GET), the verification
// challenge echoed with the secret, 400 for malformed JSON, 413 above
// event_hooks.max_body_size, 404 off the configured path, and a valid delivery
// accepted. No answer echoes the secret.
func TestSecurityEventHookLimits(t *testing.T) {
	sim := startSimulator(t, "--users", "10", "--groups", "3", "--apps", "2", "--events-per-sec", "0")
	dir := t.TempDir()
	health, hook := freePort(t), freePort(t)
	const maxBody = 4096
	secret := distinctiveSecret(t, "hook-limit-")
	cfg := render(hookLimitsConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "HOOK": strconv.Itoa(hook),
		"MAXBODY": strconv.Itoa(maxBody),
	})
	coll := startCollector(t, dir, cfg, health, "OKTA_HOOK_SECRET="+secret)
	base := fmt.Sprintf("http://127.0.0.1:%d", hook)
	probe := hookProbe{t: t, header: "X-Hook-Key", secret: secret}

	probe.expect("POST off the path", http.MethodPost, base+"/other", true, nil, `{"data":{"events":[]}}`, http.StatusNotFound)
	// The default header name is not the configured one: a secret there is not accepted.
	probe.expect("POST with the secret in Authorization instead of X-Hook-Key", http.MethodPost, base+"/okta/events", false,
		map[string]string{"Authorization": secret}, `{"data":{"events":[]}}`, http.StatusUnauthorized)
	probeHookErrorsWith(probe, base+"/okta/events", maxBody)
	if coll.exited() {
		t.Fatalf("the collector exited: %v", coll.err)
	}
}

// probeHookErrors runs the hook endpoint checks against a collector configured with the
// default header name and body limit (1 MiB).
func probeHookErrors(t *testing.T, url, secret string) {
	t.Helper()
	probeHookErrorsWith(hookProbe{t: t, header: "Authorization", secret: secret}, url, 1<<20)
}

func probeHookErrorsWith(p hookProbe, url string, maxBody int) {
	p.t.Helper()
	valid := `{"eventType":"com.okta.event_hook","data":{"events":[]}}`
	p.expect("POST without the secret", http.MethodPost, url, false, nil, valid, http.StatusUnauthorized)
	p.expect("POST with a wrong secret", http.MethodPost, url, false, map[string]string{p.header: p.secret + "x"}, valid, http.StatusUnauthorized)
	p.expect("verification GET without the secret", http.MethodGet, url, false,
		map[string]string{"X-Okta-Verification-Challenge": "chal-1"}, "", http.StatusUnauthorized)
	body := p.expect("verification GET", http.MethodGet, url, true,
		map[string]string{"X-Okta-Verification-Challenge": "chal-e2e-42"}, "", http.StatusOK)
	if want := `"verification":"chal-e2e-42"`; !strings.Contains(body, want) {
		p.t.Errorf("verification answer %q does not contain %s", body, want)
	}
	p.expect("POST with malformed JSON", http.MethodPost, url, true, nil, `{"data":{"events":[`, http.StatusBadRequest)
	p.expect("POST whose data.events is not an array", http.MethodPost, url, true, nil, `{"data":{"events":"x"}}`, http.StatusBadRequest)
	big := `{"data":{"events":[],"pad":"` + strings.Repeat("a", maxBody) + `"}}`
	p.expect("POST above max_body_size", http.MethodPost, url, true, nil, big, http.StatusRequestEntityTooLarge)
	p.expect("valid empty delivery", http.MethodPost, url, true, nil, valid, http.StatusOK)
}

// hookProbe sends requests to a hook endpoint whose secret travels in header.
type hookProbe struct {
	t      *testing.T
	header string
	secret string
}

// expect sends one request (with the secret when withSecret), fails the test unless the
// status is want, checks that the answer does not echo the secret, and returns the body.
func (p hookProbe) expect(what, method, url string, withSecret bool, headers map[string]string, body string, want int) string {
	p.t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequest(method, url, rd)
	mustf(p.t, err, "%s: build request", what)
	req.Header.Set("Content-Type", "application/json")
	if withSecret {
		req.Header.Set(p.header, p.secret)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		p.t.Errorf("%s: %v", what, err)
		return ""
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		p.t.Errorf("%s: status %d, want %d (body %q)", what, resp.StatusCode, want, tail(string(got), 200))
	}
	if strings.Contains(string(got), p.secret) {
		p.t.Errorf("LEAK: %s: the answer echoes the hook secret", what)
	}
	for k, vs := range resp.Header {
		if strings.Contains(strings.Join(vs, " "), p.secret) {
			p.t.Errorf("LEAK: %s: response header %s echoes the hook secret", what, k)
		}
	}
	return string(got)
}
