package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rejectedConfig runs the receiver with AUTH and logs at debug level.
const rejectedConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
{{AUTH}}
    system_log:
      poll_interval: 1s
      unauthorized_retry_interval: 1s
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
    flush_interval: 100ms
service:
  extensions: [health_check]
  telemetry:
    logs:
      level: debug
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      exporters: [file/okta]
`

// TestSecurityRejectedCredentialsNotLogged runs two collectors whose credentials the org
// rejects: an unknown API token (401 E0000011) and an OAuth key the service app does not
// have (the token endpoint refuses the assertion). Both must report the error and keep
// running, and neither output may contain the credential.
func TestSecurityRejectedCredentialsNotLogged(t *testing.T) {
	dir := t.TempDir()
	sim := startSimulator(t, "--users", "10", "--groups", "3", "--apps", "2", "--events-per-sec", "0",
		"--oauth-key-out", filepath.Join(dir, "sim-key.pem"))

	wrongToken := distinctiveSecret(t, "wrong-token-")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	mustf(t, err, "generate an RSA key the org does not know")
	der, err := x509.MarshalPKCS8PrivateKey(key)
	mustf(t, err, "marshal PKCS#8")
	wrongKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	type run struct {
		name     string
		auth     string
		env      []string
		needles  []secretNeedle
		rejected string // the /_sim/stats counter of this credential's rejections
		proc     *process
	}
	runs := []*run{
		{name: "unknown API token", auth: "    api_token: ${env:OKTA_API_TOKEN}",
			env: []string{"OKTA_API_TOKEN=" + wrongToken}, needles: []secretNeedle{{"rejected API token", wrongToken}},
			rejected: "unauthorized"},
		{name: "unknown OAuth key", auth: oauthBlock("private_key: ${env:OKTA_PRIVATE_KEY}"),
			env: []string{"OKTA_PRIVATE_KEY=" + string(wrongKey)}, needles: pemBodyNeedles("rejected private key", wrongKey),
			rejected: "tokenErrors"},
	}
	rejections := func(r *run) int {
		n, _ := sim.stats(t)[r.rejected].(float64)
		return int(n)
	}
	for i, r := range runs {
		d := filepath.Join(dir, strconv.Itoa(i))
		mustf(t, os.MkdirAll(d, 0o755), "mkdir")
		health := freePort(t)
		r.proc = startCollector(t, d, render(rejectedConfig, map[string]string{
			"DIR": d, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "AUTH": r.auth,
		}), health, r.env...)
	}
	for _, r := range runs {
		var line string
		reported := waitFor(context.Background(), 20*time.Second, 200*time.Millisecond, func() bool {
			line = rejectionLine(r.proc.out.String())
			return line != ""
		})
		if !reported {
			t.Errorf("%s: the collector did not report the rejected credential within 20 s", r.name)
		} else {
			t.Logf("%s: reported as: %s", r.name, tail(line, 300))
		}
	}
	// The scan covers the retries too. Once the start-up inventory sync is done (every listing
	// failed once), the only requests left are retries: the System Log poller's, every
	// unauthorized_retry_interval (1 s). The org counts the rejections (401s for the API token,
	// refused token requests for the OAuth key); once two more arrived, the first retry has been
	// handled and whatever it logs is written.
	for _, r := range runs {
		if !waitFor(context.Background(), 20*time.Second, 100*time.Millisecond, func() bool {
			return strings.Contains(r.proc.out.String(), "Okta inventory full sync done")
		}) {
			t.Errorf("%s: the start-up inventory sync did not end within 20 s", r.name)
			continue
		}
		rejected := rejections(r)
		if !waitFor(context.Background(), 20*time.Second, 100*time.Millisecond, func() bool {
			return rejections(r) >= rejected+2
		}) {
			t.Errorf("%s: the org saw %d more rejected requests within 20 s, want 2 retries",
				r.name, rejections(r)-rejected)
		}
	}
	for _, r := range runs {
		if r.proc.exited() {
			t.Errorf("%s: the collector exited instead of retrying: %v", r.name, r.proc.err)
		}
		r.proc.stop(10 * time.Second)
		scanForSecrets(t, map[string][]byte{r.name + ": collector stdout+stderr": []byte(r.proc.out.String())}, r.needles)
	}
}

// rejectionLine returns the first warning or error line that reports a rejected
// credential (HTTP 401, Okta's E0000011, OAuth invalid_client), or "".
func rejectionLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "warn") && !strings.Contains(line, "error") {
			continue
		}
		if strings.Contains(line, "E0000011") || strings.Contains(line, "invalid_client") || strings.Contains(line, " 401") {
			return line
		}
	}
	return ""
}
