package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// The tests of this file run the real collector against oktasim with one of Okta's
// rate-limit habits switched on. Each checks, on the simulator's own record of the
// requests, that the first full sync delivered every object of every enabled type and
// that after every 429 nothing was sent against the same limit before the reset that
// 429 announced.

// busy makes every answer take 20 ms, so that the full sync (about 220 requests, sent one
// after the other) keeps the receiver sending through several windows instead of
// finishing before the other clients' burst lands.
var busy = []string{"--fault-latency", "20ms"}

// endpointBuckets are endpoint-specific buckets the receiver has no table for, 100
// requests per window each.
var endpointBuckets = []string{
	"--bucket", "/api/v1/users/{id}/roles=100",
	"--bucket", "/api/v1/users/{id}/factors=100",
	"--bucket", "/api/v1/apps/{id}/users=100",
}

// TestRateLimitEndpointBuckets: with endpoint-specific buckets of 100 requests per window
// (the per-client share set to 1, so the headers show 100) and budget 0.5, the receiver
// learns each bucket from the answers, never uses more than 50 of a window and is never
// answered 429.
func TestRateLimitEndpointBuckets(t *testing.T) {
	run := runRateLimitScenario(t, "0.5", append([]string{"--rate-limit-share", "1"}, endpointBuckets...)...)
	requireNoRequestBeforeReset(t, run.requests)
	if n := len(run.throttled()); n != 0 {
		t.Errorf("%d requests were answered 429, want none at budget 0.5", n)
	}
	peak := peakWindowUse(run.requests)
	var lines []string
	for _, b := range sortedKeys(peak) {
		lines = append(lines, fmt.Sprintf("%-32s peak %d per window", b, peak[b]))
	}
	t.Logf("peak use per window, from the simulator's answers:\n%s", strings.Join(lines, "\n"))
	for _, tpl := range []string{"/api/v1/users/{id}/roles", "/api/v1/users/{id}/factors", "/api/v1/apps/{id}/users"} {
		if peak[tpl] == 0 {
			t.Errorf("endpoint bucket %s was never used", tpl)
		}
		if peak[tpl] > 50 {
			t.Errorf("endpoint bucket %s: %d requests in one window, want at most 50 (budget 0.5 of 100)", tpl, peak[tpl])
		}
	}
	stats := run.sim.stats(t)
	buckets, _ := stats["buckets"].(map[string]any)
	for _, tpl := range []string{"/api/v1/users/{id}/factors", "/api/v1/apps/{id}/users"} {
		b, _ := buckets[tpl].(map[string]any)
		if pw, _ := b["peakWindow"].(float64); pw > 50 || pw == 0 {
			t.Errorf("simulator stats: %s peakWindow %v, want 1..50", tpl, b["peakWindow"])
		}
	}
}

// TestRateLimitOtherClients: other integrations empty the org-wide bucket (and the apps
// bucket) at a random moment of every window, so Okta answers 429 while the receiver's
// own count says there is room.
func TestRateLimitOtherClients(t *testing.T) {
	run := runRateLimitScenario(t, "0.5", append(busy, "--other-clients", "api_v1=1", "--other-clients", "apps=1")...)
	if countCause(run.requests, "other_clients") == 0 {
		t.Fatal("no 429 caused by other clients: the habit did not show, the test proves nothing")
	}
	requireNoRequestBeforeReset(t, run.requests)
}

// TestRateLimit429ResetEarlierOrLater: the 429s announce a reset earlier, or later, than
// the window the earlier answers of the bucket announced; each is obeyed.
func TestRateLimit429ResetEarlierOrLater(t *testing.T) {
	for _, mode := range []string{"early", "late"} {
		t.Run(mode, func(t *testing.T) {
			run := runRateLimitScenario(t, "0.5", append(busy, "--other-clients", "api_v1=1", "--fault-429-reset", mode)...)
			than := map[string]string{"early": "earlier", "late": "later"}[mode]
			moved := 0
			for _, q := range run.requests {
				if q.Status == 429 && q.WindowReset != 0 && (mode == "early") == (q.Reset < q.WindowReset) && q.Reset != q.WindowReset {
					moved++
				}
			}
			if moved == 0 {
				t.Fatalf("no 429 announced a reset %s than its window's end: the habit did not show", than)
			}
			t.Logf("%d 429s announced a reset %s than the end of the exhausted window", moved, than)
			requireNoRequestBeforeReset(t, run.requests)
		})
	}
}

// TestRateLimitHeaderless429: some 429s come without any rate-limit header (Okta's
// concurrency limit); the receiver backs the endpoint off and loses nothing.
func TestRateLimitHeaderless429(t *testing.T) {
	run := runRateLimitScenario(t, "0.5", "--fault-headerless-429", "0.05")
	if countCause(run.requests, "headerless") == 0 {
		t.Fatal("no 429 without headers was served: the habit did not show")
	}
	requireNoRequestBeforeReset(t, run.requests)
}

// TestRateLimitSkewedClock: the simulator's clock, as its Date and X-Rate-Limit-Reset
// show it, is two minutes ahead of or behind the collector's. With other clients emptying
// the org bucket, every 429's reset must be respected on the simulator's clock: trusting
// the local clock would send at once (behind) or stall for two minutes (ahead).
func TestRateLimitSkewedClock(t *testing.T) {
	for _, skew := range []string{"2m", "-2m"} {
		t.Run(skew, func(t *testing.T) {
			run := runRateLimitScenario(t, "0.5", append(busy, "--clock-skew", skew, "--other-clients", "api_v1=1")...)
			if len(run.throttled()) == 0 {
				t.Fatal("no 429 was served: the skew was never put to the test")
			}
			requireNoRequestBeforeReset(t, run.requests)
		})
	}
}
