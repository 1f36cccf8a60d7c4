package oktasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startLogsServer starts a simulator with the control API on, rate limits
// off and no initial history unless mutate changes it. It returns the org
// URL; the server is closed at the end of the test.
func startLogsServer(t testing.TB, mutate func(*Options)) (*Server, string) {
	t.Helper()
	opts := DefaultOptions()
	opts.Control = true
	opts.Org.Users, opts.Org.Groups, opts.Org.Apps = 40, 8, 8
	opts.Platform.RateLimits.Enabled = false
	opts.Logs.HistoryEvents = 0
	opts.Logs.EventsPerSec = 0
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, base
}

// logsResponse is one answer of GET /api/v1/logs.
type logsResponse struct {
	status int
	events []map[string]any
	links  map[string]string // rel -> URL
	nLinks int               // number of Link header lines
	body   []byte
}

func getLogs(t testing.TB, rawURL string) logsResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatalf("request %s: %v", rawURL, err)
	}
	req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", rawURL, err)
	}
	out := logsResponse{status: resp.StatusCode, body: body, links: map[string]string{}}
	for _, line := range resp.Header.Values("Link") {
		out.nLinks++
		target, rel, ok := strings.Cut(line, ">; rel=\"")
		if !ok {
			t.Fatalf("malformed Link header %q", line)
		}
		out.links[strings.TrimSuffix(rel, `"`)] = strings.TrimPrefix(target, "<")
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &out.events); err != nil {
			t.Fatalf("decode %s: %v: %.200s", rawURL, err, body)
		}
	}
	return out
}

func logsURL(base string, params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return base + "/api/v1/logs?" + q.Encode()
}

func postControl(t testing.TB, method, rawURL string, body any) (int, []byte) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// inject posts to /_sim/events and returns the uuids created.
func inject(t testing.TB, base string, body map[string]any) []string {
	t.Helper()
	status, raw := postControl(t, http.MethodPost, base+"/_sim/events", body)
	if status != http.StatusOK {
		t.Fatalf("POST /_sim/events: %d %s", status, raw)
	}
	var out struct{ UUIDs []string }
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode inject answer: %v", err)
	}
	return out.UUIDs
}

func injectSpecs(t testing.TB, base string, n int, eventType string, lateMs int) []string {
	t.Helper()
	specs := make([]map[string]any, n)
	for i := range specs {
		specs[i] = map[string]any{"eventType": eventType}
	}
	return inject(t, base, map[string]any{"specs": specs, "lateMs": lateMs})
}

func uuidsOf(events []map[string]any) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i], _ = e["uuid"].(string)
	}
	return out
}

func groundTruthUUIDs(t testing.TB, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/_sim/events/uuids")
	if err != nil {
		t.Fatalf("GET uuids: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Count int
		UUIDs []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode uuids: %v", err)
	}
	if out.Count != len(out.UUIDs) {
		t.Fatalf("uuids count %d != %d listed", out.Count, len(out.UUIDs))
	}
	return out.UUIDs
}

// logStoreStats reads GET /_sim/events/stats.
func logStoreStats(t testing.TB, base string) logStats {
	t.Helper()
	resp, err := http.Get(base + "/_sim/events/stats")
	if err != nil {
		t.Fatalf("GET /_sim/events/stats: %v", err)
	}
	defer resp.Body.Close()
	var out logStats
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode /_sim/events/stats: %v", err)
	}
	return out
}

func isoAgo(d time.Duration) string { return oktaTime(time.Now().Add(-d)) }

// eventually polls cond every 10 ms until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
