package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
)

// healthAnswer is the status code and body of a health endpoint (the health_check extension's
// component-status JSON with ?verbose).
type healthAnswer struct {
	code int
	body healthStatus
	raw  string
}

type healthStatus struct {
	Healthy    bool                    `json:"healthy"`
	Status     string                  `json:"status"`
	Error      string                  `json:"error"`
	Components map[string]healthStatus `json:"components"`
}

// find returns the status of the component name (e.g. "receiver:okta") at any depth. A
// component in several pipelines appears once per pipeline: the least healthy one is returned.
func (h healthStatus) find(name string) (healthStatus, bool) {
	var worst healthStatus
	found := false
	for k, c := range h.Components {
		cand, ok := c, k == name
		if !ok {
			cand, ok = c.find(name)
		}
		if ok && (!found || (worst.Healthy && !cand.Healthy)) {
			worst, found = cand, true
		}
	}
	return worst, found
}

func getHealth(url string) (healthAnswer, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return healthAnswer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return healthAnswer{}, err
	}
	a := healthAnswer{code: resp.StatusCode, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		return a, fmt.Errorf("decode %s: %w (%s)", url, err, raw)
	}
	return a, nil
}

// TestShipReadinessFollowsComponentStatus runs the collector on config/prometheus-otlp.yaml as
// shipped. With a token the simulator rejects (401 E0000011 on every request), the okta
// receiver reports a permanent error and readiness turns false (500) while liveness stays
// true; with the right token readiness stays true once the receiver has read the System Log.
func TestShipReadinessFollowsComponentStatus(t *testing.T) {
	run := func(t *testing.T, token string, extra map[string]string) (sim *simulator, readyURL, liveURL string, p *process) {
		sim = startSimulator(t, "--users", "20", "--groups", "5", "--apps", "5", "--events-per-sec", "5")
		ready, live, telemetry, prom := freePort(t), freePort(t), freePort(t), freePort(t)
		overrides := healthOverrides(ready, live, telemetry)
		overrides["exporters::prometheus::endpoint"] = fmt.Sprintf("127.0.0.1:%d", prom)
		maps.Copy(overrides, extra)
		env := append(shippedEnv(t, sim, token), fmt.Sprintf("OTLP_LOGS_ENDPOINT=127.0.0.1:%d", freePort(t)))
		p = startShippedConfig(t, "prometheus-otlp.yaml", env, overrides)
		readyURL = fmt.Sprintf("http://127.0.0.1:%d/ready?verbose", ready)
		liveURL = fmt.Sprintf("http://127.0.0.1:%d/live", live)
		waitHTTP(t, p, liveURL, 60*time.Second)
		return sim, readyURL, liveURL, p
	}

	// The System Log poller and, with the poller off, the inventory each report the 401 as a
	// permanent error.
	for name, extra := range map[string]map[string]string{
		"rejected token":                 nil,
		"rejected token, System Log off": {"receivers::okta::system_log::enabled": "false"},
	} {
		t.Run(name, func(t *testing.T) {
			const wrong = "ship-readiness-wrong-token"
			sim, readyURL, liveURL, p := run(t, wrong, extra)
			last, notReady := waitHealth(t, readyURL, http.StatusInternalServerError, nil)
			if !notReady {
				t.Fatalf("readiness did not turn false after the 401s; last answer %d %s", last.code, last.raw)
			}
			okta, ok := last.body.find("receiver:okta")
			if !ok || okta.Status != "StatusPermanentError" || okta.Healthy {
				t.Errorf("receiver:okta in the readiness answer = %+v (found %v), want an unhealthy StatusPermanentError\n%s", okta, ok, last.raw)
			}
			if !strings.Contains(okta.Error, "401") {
				t.Errorf("receiver:okta error = %q, want Okta's 401", okta.Error)
			}
			if strings.Contains(last.raw, wrong) {
				t.Error("the readiness answer contains the token")
			}
			if unauthorized, _ := sim.stats(t)["unauthorized"].(float64); unauthorized == 0 {
				t.Error("the simulator answered no 401: the test did not exercise a rejected token")
			}
			live, err := getHealth(liveURL)
			if err != nil || live.code != http.StatusOK {
				t.Errorf("liveness = %d %v, want 200: a rejected token must not make the pod restart", live.code, err)
			}
			if p.exited() {
				t.Errorf("the collector exited: %v", p.err)
			}
			t.Logf("readiness with a rejected token: %d, receiver:okta %s %q; liveness %d", last.code, okta.Status, okta.Error, live.code)
		})
	}

	t.Run("valid token", func(t *testing.T) {
		sim, readyURL, _, _ := run(t, simToken, nil)
		// Ready after the receiver has read the System Log (the poller reports its status
		// after each page; the simulator of this run counts its requests).
		last, ready := waitHealth(t, readyURL, http.StatusOK, func() bool { return logRequests(t, sim) > 0 })
		if !ready {
			t.Fatalf("readiness with a valid token: last answer %d %s", last.code, last.raw)
		}
		okta, ok := last.body.find("receiver:okta")
		if !ok || okta.Status != "StatusOK" || !okta.Healthy {
			t.Errorf("receiver:okta = %+v (found %v), want StatusOK", okta, ok)
		}
		t.Logf("readiness with a valid token: %d, receiver:okta %s", last.code, okta.Status)
	})
}

// waitHealth polls a health endpoint for up to 60 s until it answers code (after first, when
// given, holds) and returns the last answer and whether it did.
func waitHealth(t *testing.T, url string, code int, first func() bool) (healthAnswer, bool) {
	t.Helper()
	var last healthAnswer
	ok := waitFor(t.Context(), 60*time.Second, 200*time.Millisecond, func() bool {
		if first != nil && !first() {
			return false
		}
		a, err := getHealth(url)
		if err != nil {
			return false
		}
		last = a
		return a.code == code
	})
	return last, ok
}

// logRequests is the number of System Log requests the simulator has answered.
func logRequests(t *testing.T, sim *simulator) int {
	t.Helper()
	paths, _ := sim.stats(t)["paths"].(map[string]any)
	n, _ := paths["GET /api/v1/logs"].(float64)
	return int(n)
}
