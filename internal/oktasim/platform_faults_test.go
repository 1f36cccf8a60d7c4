package oktasim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPlatformFault5xx(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"errorRate": 1, "pathPrefix": "/api/v1/logs"}`)
	resp := h.ssws("/api/v1/logs")
	expectOktaError(t, resp, 500, "E0000009", "Internal Server Error")
	if resp.Header.Get("X-Okta-Request-Id") == "" {
		t.Error("500 without X-Okta-Request-Id")
	}
	// Outside the prefix, no fault.
	resp = h.ssws("/api/v1/users")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("outside the fault prefix: status %d", resp.StatusCode)
	}
	// A share: about half of 200 requests fail.
	h.mustPut("/_sim/faults", `{"errorRate": 0.5}`)
	failed := 0
	for range 200 {
		resp := h.ssws("/api/v1/groups")
		resp.Body.Close()
		if resp.StatusCode == 500 {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("errorRate 0.5: %d of 200 failed", failed)
	}
	if s := h.stats(); s.Injected5xx != int64(failed+1) {
		t.Errorf("stats injected5xx = %d, want %d", s.Injected5xx, failed+1)
	}
	// /_sim/* never faults.
	h.mustPut("/_sim/faults", `{"errorRate": 1, "resetRate": 1}`)
	resp = h.do("GET", "/_sim/stats", "", nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/_sim/stats under faults: status %d", resp.StatusCode)
	}
}

func TestPlatformFaultTruncate(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"truncateRate": 1}`)
	resp := h.ssws("/api/v1/users")
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read truncated body: %v", err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200", resp.StatusCode)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err == nil {
		t.Errorf("truncated body %q decoded as JSON", data)
	}
	if n, _ := strconv.Atoi(resp.Header.Get("Content-Length")); n != len(data) || n < 50 {
		t.Errorf("Content-Length %q, body %d bytes", resp.Header.Get("Content-Length"), len(data))
	}
	// Errors are not truncated.
	resp2 := h.do("GET", "/api/v1/users", "SSWS bad", nil)
	expectOktaError(t, resp2, 401, "E0000011", "Invalid token provided")
	if s := h.stats(); s.Truncated != 1 {
		t.Errorf("stats truncated = %d, want 1", s.Truncated)
	}
}

func TestPlatformFaultReset(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"resetRate": 1}`)
	req, _ := http.NewRequest("GET", h.url+"/api/v1/users", nil)
	req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault: got status %d, want a transport error", resp.StatusCode)
	}
	if s := h.stats(); s.Resets != 1 {
		t.Errorf("stats resets = %d, want 1", s.Resets)
	}
}

func TestPlatformFault429Storm(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"stormFor": "3s"}`)
	resp := h.ssws("/api/v1/groups")
	limit, remaining, reset, date := rateHeaders(t, resp)
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if limit != 250 || remaining != 0 || reset-date.Unix() < 2 || reset-date.Unix() > 4 {
		t.Errorf("storm window headers: limit %d remaining %d reset-date %d", limit, remaining, reset-date.Unix())
	}
	var f faultsJSON
	decode(t, h.do("GET", "/_sim/faults", "", nil), &f)
	if f.StormUntil == "" {
		t.Errorf("GET /_sim/faults does not show stormUntil: %+v", f)
	}

	h.mustPut("/_sim/faults", `{"stormRate": 1}`)
	resp = h.ssws("/api/v1/logs")
	limit, _, reset, date = rateHeaders(t, resp)
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if limit != 60 || reset-date.Unix() < 1 || reset-date.Unix() > 2 {
		t.Errorf("storm share headers: limit %d reset-date %d", limit, reset-date.Unix())
	}
	if s := h.stats(); s.Storm429 != 2 || s.Served429 != 2 {
		t.Errorf("stats storm429 %d served429 %d, want 2 and 2", s.Storm429, s.Served429)
	}
}

func TestPlatformFaultLatency(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"latency": "150ms", "latencyJitter": "50ms"}`)
	start := time.Now()
	resp := h.ssws("/api/v1/users")
	resp.Body.Close()
	if d := time.Since(start); d < 150*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("latency fault: took %s status %d, want ≥ 150ms and 200", d, resp.StatusCode)
	}
	if s := h.stats(); s.Delayed != 1 {
		t.Errorf("stats delayed = %d", s.Delayed)
	}
}

func TestPlatformFaultPause(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/faults", `{"paused": true}`)
	done := make(chan int, 1)
	go func() {
		resp := h.ssws("/api/v1/users")
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	eventually(t, 5*time.Second, "the request to be held by the pause", func() bool { return h.stats().Paused == 1 })
	// Unpaused, the echo handler answers within a few milliseconds: observe the
	// held request for 150 ms, while the simulator still counts it in flight.
	select {
	case st := <-done:
		t.Fatalf("paused request completed with %d", st)
	case <-time.After(150 * time.Millisecond):
	}
	if s := h.stats(); s.Paused != 1 || s.InFlight != 1 {
		t.Errorf("stats paused = %d inFlight = %d, want 1 and 1", s.Paused, s.InFlight)
	}
	resp := h.do("DELETE", "/_sim/faults", "", nil)
	resp.Body.Close()
	select {
	case st := <-done:
		if st != 200 {
			t.Errorf("released request: status %d", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request still held after unpausing")
	}

	// A pause with a deadline releases by itself.
	h.mustPut("/_sim/faults", `{"pauseFor": "200ms"}`)
	start := time.Now()
	resp = h.ssws("/api/v1/users")
	resp.Body.Close()
	if d := time.Since(start); resp.StatusCode != 200 || d < 150*time.Millisecond || d > 3*time.Second {
		t.Errorf("pauseFor 200ms: status %d after %s", resp.StatusCode, d)
	}
}

func TestPlatformControlValidation(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	for body, field := range map[string]string{
		`{"errorRate": 2}`:                      "errorRate",
		`{"latency": "soon"}`:                   "latency",
		`{"bogus": 1}`:                          "bogus",
		`{"stormFor": "1s", "stormUntil": "x"}`: "stormFor",
		`{"pathPrefix": "api"}`:                 "pathPrefix",
	} {
		resp := h.putJSON("/_sim/faults", body)
		var e map[string]string
		decode(t, resp, &e)
		if resp.StatusCode != 400 || !strings.Contains(e["error"], field) {
			t.Errorf("PUT /_sim/faults %s: status %d error %q, want 400 naming %s", body, resp.StatusCode, e["error"], field)
		}
	}
	for body, field := range map[string]string{
		`{"share": 0}`:                 "share",
		`{"buckets": {"nope": 5}}`:     "nope",
		`{"window": "x"}`:              "window",
		`{"concurrency": -1}`:          "concurrency",
		`{"buckets": {"logs": "ten"}}`: "buckets",
	} {
		resp := h.putJSON("/_sim/ratelimits", body)
		var e map[string]string
		decode(t, resp, &e)
		if resp.StatusCode != 400 || !strings.Contains(e["error"], field) {
			t.Errorf("PUT /_sim/ratelimits %s: status %d error %q, want 400 naming %s", body, resp.StatusCode, e["error"], field)
		}
	}
}

func TestPlatformControlRateLimitsAndStats(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	h.mustPut("/_sim/ratelimits", `{"buckets": {"logs": 2}, "share": 1, "window": "10s"}`)
	var rl rateLimitsJSON
	decode(t, h.do("GET", "/_sim/ratelimits", "", nil), &rl)
	if rl.Buckets[BucketLogs] != 2 || rl.Buckets[BucketUsers] != 600 || rl.Share != 1 || rl.Window != "10s" || !rl.Enabled {
		t.Errorf("GET /_sim/ratelimits = %+v", rl)
	}
	codes := []int{}
	for range 3 {
		resp := h.ssws("/api/v1/logs")
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Errorf("statuses with logs limit 2: %v", codes)
	}
	// Turning limits off lets the next request through; resetWindows restores capacity.
	h.mustPut("/_sim/ratelimits", `{"enabled": false}`)
	resp := h.ssws("/api/v1/logs")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("limits off: status %d", resp.StatusCode)
	}
	h.mustPut("/_sim/ratelimits", `{"enabled": true, "resetWindows": true}`)
	resp = h.ssws("/api/v1/logs")
	resp.Body.Close()
	if _, remaining, _, _ := rateHeaders(t, resp); resp.StatusCode != 200 || remaining != 1 {
		t.Errorf("after resetWindows: status %d remaining %d", resp.StatusCode, remaining)
	}

	s := h.stats()
	if s.Requests != 5 || s.Buckets[BucketLogs].Requests != 5 || s.Buckets[BucketLogs].Limited != 1 || s.Paths["GET /api/v1/logs"] != 5 {
		t.Errorf("stats = %+v", s)
	}
	resp = h.do("DELETE", "/_sim/stats", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE /_sim/stats: status %d", resp.StatusCode)
	}
	if s := h.stats(); s.Requests != 0 || len(s.Buckets) != 0 {
		t.Errorf("stats after reset = %+v", s)
	}
	if got := h.sim.PlatformStats().Requests; got != 0 {
		t.Errorf("Server.PlatformStats().Requests = %d", got)
	}
}
