package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// validateConfig is a minimal pipeline around the okta receiver at ENDPOINT.
const validateConfig = `
receivers:
  okta:
    endpoint: {{ENDPOINT}}
    api_token: ${env:OKTA_API_TOKEN}
exporters:
  debug:
service:
  pipelines:
    logs:
      receivers: [okta]
      exporters: [debug]
`

// TestSecurityValidateRequiresHTTPS runs `otelcol-okta validate`: a plain-http org URL
// is refused with an error naming the endpoint key unless the host is loopback, and the
// error output never contains the API token.
func TestSecurityValidateRequiresHTTPS(t *testing.T) {
	token := distinctiveSecret(t, "validate-e2e-")
	cases := []struct {
		endpoint string
		ok       bool
	}{
		{"http://example.com", false},
		{"http://10.0.0.5:8080", false},
		{"https://example.com", true},
		{"http://127.0.0.1:8989", true},
		{"http://localhost:8989", true},
		{"http://[::1]:8989", true},
	}
	for _, c := range cases {
		t.Run(c.endpoint, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "config.yaml", render(validateConfig, map[string]string{"ENDPOINT": c.endpoint}))
			cmd := exec.Command(collectorBin, "validate", "--config", path)
			cmd.Env = append(os.Environ(), "OKTA_API_TOKEN="+token)
			out, err := cmd.CombinedOutput()
			switch {
			case c.ok && err != nil:
				t.Errorf("validate refused %s: %v\n%s", c.endpoint, err, out)
			case !c.ok && err == nil:
				t.Errorf("validate accepted the plain-http, non-loopback endpoint %s", c.endpoint)
			case !c.ok:
				msg := string(out)
				if !strings.Contains(msg, "endpoint") || !strings.Contains(msg, "https") {
					t.Errorf("the error for %s should name the endpoint key and ask for https:\n%s", c.endpoint, msg)
				}
			}
			if strings.Contains(string(out), token) {
				t.Errorf("LEAK: validate printed the API token:\n%s", out)
			}
		})
	}
}
