package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rateLimitConfig runs the inventory alone (System Log off): its requests go one after
// the other, so every request the simulator records after a 429 was sent after the
// collector had read that 429.
const rateLimitConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    collection_interval: 1s
    rate_limit:
      budget: {{BUDGET}}
    inventory:
      resources:
        group_membership: {enabled: true}
    system_log:
      enabled: false
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
    flush_interval: 100ms
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      exporters: [file/okta]
    metrics:
      receivers: [okta]
      exporters: [prometheus]
`

// rateLimitOrg is the simulated org of the rate-limit tests: small enough for a full
// sync in seconds, with the window scaled from Okta's 60 s to 3 s (the counts per window
// are Okta's) and every request recorded.
var rateLimitOrg = []string{
	"--users", "120", "--groups", "15", "--apps", "12", "--events-per-sec", "0", "--history-events", "0",
	"--rate-limit-window", "3s", "--record-requests", "100000",
}

// simClient is the rate-limit client name of the simulator's --token.
const simClient = "token-default"

// minHeaderlessBackoff is the shortest per-endpoint backoff the receiver documents after
// a 429 without usable headers (1 s with ±50 % jitter).
const minHeaderlessBackoff = 500 * time.Millisecond

// simRequest is one record of oktasim's GET /_sim/requests.
type simRequest struct {
	Seq         int64     `json:"seq"`
	At          time.Time `json:"at"`
	Done        time.Time `json:"done"`
	Template    string    `json:"template"`
	Bucket      string    `json:"bucket"`
	Client      string    `json:"client"`
	Status      int       `json:"status"`
	RateHeaders bool      `json:"rateHeaders"`
	Limit       int       `json:"limit"`
	Remaining   int       `json:"remaining"`
	Reset       int64     `json:"reset"`
	Cause       string    `json:"cause"`
	WindowReset int64     `json:"windowReset"`
}

// rateLimitRun is one collector run against a simulator with a rate-limit habit.
type rateLimitRun struct {
	sim      *simulator
	gt       groundTruth
	requests []simRequest // our client's, in arrival order
	prom     string
}

// runRateLimitScenario starts oktasim with rateLimitOrg plus simArgs and the collector
// with budget, waits until the first full sync delivered a snapshot of every ground-truth
// object (failing the test if some type stays incomplete), and returns the simulator's
// record of our requests.
func runRateLimitScenario(t *testing.T, budget string, simArgs ...string) *rateLimitRun {
	t.Helper()
	sim := startSimulator(t, append(append([]string{}, rateLimitOrg...), simArgs...)...)
	dir := t.TempDir()
	health, prom := freePort(t), freePort(t)
	cfg := render(rateLimitConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "PROM": strconv.Itoa(prom), "BUDGET": budget,
	})
	startCollector(t, dir, cfg, health)
	gt := sim.groundTruth(t)
	var perType map[string][2]int
	complete := waitFor(context.Background(), 240*time.Second, 500*time.Millisecond, func() bool {
		recs, err := readRecords(filepath.Join(dir, "records.jsonl"))
		if err != nil {
			return false
		}
		perType = firstSyncCounts(gt, recs)
		for _, c := range perType {
			if c[0] != c[1] {
				return false
			}
		}
		return true
	})
	run := &rateLimitRun{sim: sim, gt: gt, prom: fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)}
	run.requests = run.ourRequests(t)
	if !complete {
		for typ, c := range perType {
			if c[0] != c[1] {
				t.Errorf("resource type %s: the first full sync delivered %d of %d objects", typ, c[0], c[1])
			}
		}
		t.Logf("requests recorded: %d, 429s: %d", len(run.requests), len(run.throttled()))
		t.FailNow()
	}
	t.Logf("first full sync: every enabled type complete (%d types), %d requests, %d answered 429",
		len(perType), len(run.requests), len(run.throttled()))
	return run
}

// firstSyncCounts returns, per ground-truth type, the number of distinct objects the
// first full sync (the okta.sync.id of the first snapshot) delivered and the number the
// ground truth holds.
func firstSyncCounts(gt groundTruth, recs []record) map[string][2]int {
	first := ""
	seen := map[string]map[string]bool{}
	for _, r := range recs {
		if r.EventName != "okta.inventory.snapshot" {
			continue
		}
		id := r.attr("okta.sync.id")
		if first == "" {
			first = id
		}
		if id != first {
			continue
		}
		typ := r.attr("okta.resource.type")
		if seen[typ] == nil {
			seen[typ] = map[string]bool{}
		}
		seen[typ][r.attr("okta.resource.id")] = true
	}
	out := map[string][2]int{}
	for typ, ids := range gt.IDs {
		n := 0
		for _, id := range ids {
			if seen[typ][id] {
				n++
			}
		}
		out[typ] = [2]int{n, len(ids)}
	}
	return out
}

// ourRequests reads the simulator's request record, keeping our client's requests.
func (r *rateLimitRun) ourRequests(t *testing.T) []simRequest {
	t.Helper()
	var log struct {
		Dropped  int64        `json:"dropped"`
		Requests []simRequest `json:"requests"`
	}
	r.sim.getJSON(t, "/_sim/requests", &log)
	if log.Dropped > 0 {
		t.Fatalf("the simulator dropped %d request records: raise --record-requests", log.Dropped)
	}
	var out []simRequest
	for _, q := range log.Requests {
		if q.Client == simClient {
			out = append(out, q)
		}
	}
	return out
}

func (r *rateLimitRun) throttled() []simRequest {
	var out []simRequest
	for _, q := range r.requests {
		if q.Status == 429 {
			out = append(out, q)
		}
	}
	return out
}

// requireNoRequestBeforeReset checks the simulator's record: after each 429 with a reset,
// no later request of ours against the same bucket arrived before that reset; after each
// 429 without rate-limit headers, the same endpoint was not asked again within
// minHeaderlessBackoff. It logs one line per 429: what had to be respected and when the
// next request against that limit came.
func requireNoRequestBeforeReset(t *testing.T, reqs []simRequest) {
	t.Helper()
	var lines []string
	violations := 0
	for i, q := range reqs {
		if q.Status != 429 {
			continue
		}
		headerless := !q.RateHeaders
		var mustWait time.Time
		if headerless {
			mustWait = q.Done.Add(minHeaderlessBackoff)
		} else {
			mustWait = time.Unix(q.Reset, 0)
		}
		var next *simRequest
		for j := i + 1; j < len(reqs); j++ {
			n := reqs[j]
			sameLimit := n.Bucket == q.Bucket
			if headerless {
				sameLimit = n.Template == q.Template
			}
			if sameLimit && n.At.After(q.Done) {
				next = &reqs[j]
				break
			}
		}
		verdict, nextAt := "ok", "-"
		if next != nil {
			nextAt = next.At.Format("15:04:05.000")
			if next.At.Before(mustWait) {
				verdict = fmt.Sprintf("VIOLATION (%s early)", mustWait.Sub(next.At).Round(time.Millisecond))
				violations++
			}
		}
		limit := "bucket " + q.Bucket
		if headerless {
			limit = "endpoint " + q.Template
		}
		lines = append(lines, fmt.Sprintf("%-12s %-14s %-44s 429 at %s  must wait until %s  next at %s  %s",
			q.Cause, fmt.Sprintf("#%d", q.Seq), limit, q.At.Format("15:04:05.000"), mustWait.Format("15:04:05.000"), nextAt, verdict))
	}
	t.Logf("%d 429s; per 429: cause, seq, limit, arrival, reset to respect, next request against that limit:\n%s",
		len(lines), strings.Join(lines, "\n"))
	if violations > 0 {
		t.Fatalf("%d requests were sent before the reset (or backoff) a 429 of their limit announced", violations)
	}
}

// countCause returns how many 429s of reqs have cause.
func countCause(reqs []simRequest, cause string) int {
	n := 0
	for _, q := range reqs {
		if q.Status == 429 && q.Cause == cause {
			n++
		}
	}
	return n
}

// peakWindowUse returns, per bucket, the most requests of ours one window saw: the
// limit minus the lowest remaining among the 2xx answers announcing the same reset.
func peakWindowUse(reqs []simRequest) map[string]int {
	type window struct {
		bucket string
		reset  int64
	}
	used := map[window]int{}
	for _, q := range reqs {
		if q.Status/100 != 2 || !q.RateHeaders {
			continue
		}
		w := window{q.Bucket, q.Reset}
		used[w] = max(used[w], q.Limit-q.Remaining)
	}
	peak := map[string]int{}
	for w, n := range used {
		peak[w.bucket] = max(peak[w.bucket], n)
	}
	return peak
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
