package oktasim

import (
	"flag"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requestLog reads GET /_sim/requests?since=since.
func (h *platformHarness) requestLog(since int64) RequestLog {
	h.t.Helper()
	var l RequestLog
	decode(h.t, h.do(http.MethodGet, "/_sim/requests?since="+strconv.FormatInt(since, 10), "", nil), &l)
	return l
}

// TestPlatformEndpointBuckets: an endpoint-specific bucket counts every request of its
// template (whatever the ids), apart from the org-wide bucket of the same prefix, and is
// configurable at run time.
func TestPlatformEndpointBuckets(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Endpoints = map[string]int{"/api/v1/apps/{id}/users": 4} // share 0.5 → 2 per client
	opts.RecordRequests = 100
	h := newPlatformHarness(t, opts)
	var statuses []int
	for _, p := range []string{"/api/v1/apps/0oa1a2b3c4d5e6f7g8h9/users", "/api/v1/apps/0oa9z8y7x6w5v4u3t2s1/users", "/api/v1/apps/0oa1a2b3c4d5e6f7g8h9/users"} {
		resp := h.ssws(p)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if limit, _, _, _ := rateHeaders(t, resp); limit != 2 {
			t.Errorf("%s: X-Rate-Limit-Limit %d, want 2", p, limit)
		}
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 {
		t.Errorf("statuses %v, want 200 200 429: two apps' users share the endpoint bucket", statuses)
	}
	resp := h.ssws("/api/v1/apps/0oa1a2b3c4d5e6f7g8h9/groups")
	resp.Body.Close()
	if limit, _, _, _ := rateHeaders(t, resp); resp.StatusCode != 200 || limit != 50 {
		t.Errorf("/apps/{id}/groups: status %d limit %d, want 200 and the org-wide apps bucket's 50", resp.StatusCode, limit)
	}
	s := h.stats()
	if b := s.Buckets["/api/v1/apps/{id}/users"]; b.Requests != 3 || b.Limited != 1 || b.PeakWindow != 2 {
		t.Errorf("endpoint bucket stats %+v, want 3 requests, 1 limited, peak 2", b)
	}
	for _, r := range h.requestLog(0).Requests[:3] {
		if r.Bucket != "/api/v1/apps/{id}/users" || r.Template != "/api/v1/apps/{id}/users" || r.Client != "token-default" {
			t.Errorf("record %+v: want the endpoint bucket and the default token", r)
		}
	}

	// At run time: add a bucket, remove one, refuse a concrete path.
	h.mustPut("/_sim/ratelimits", `{"endpoints": {"/api/v1/users/{id}/roles": 10, "/api/v1/apps/{id}/users": 0}}`)
	var rl rateLimitsJSON
	decode(t, h.do(http.MethodGet, "/_sim/ratelimits", "", nil), &rl)
	if len(rl.Endpoints) != 1 || rl.Endpoints["/api/v1/users/{id}/roles"] != 10 {
		t.Errorf("endpoints after PUT = %v", rl.Endpoints)
	}
	resp = h.ssws("/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles")
	resp.Body.Close()
	if limit, _, _, _ := rateHeaders(t, resp); limit != 5 {
		t.Errorf("roles endpoint bucket: limit %d, want 5", limit)
	}
	resp = h.putJSON("/_sim/ratelimits", `{"endpoints": {"/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles": 10}}`)
	var e map[string]string
	decode(t, resp, &e)
	if resp.StatusCode != 400 || !strings.Contains(e["error"], "{id}") {
		t.Errorf("concrete path as template: status %d error %q, want 400 asking for {id}", resp.StatusCode, e["error"])
	}
}

// TestPlatformOtherClientsDrainTheOrgBucket: other clients spend the org bucket (in
// the first window right after the first request); the next request gets 429 while the client's own
// remaining said there was room, with the org window's reset.
func TestPlatformOtherClientsDrainTheOrgBucket(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Window = 2 * time.Second
	opts.RateLimits.OtherClients = map[string]float64{BucketLogs: 1}
	opts.RecordRequests = 1000
	h := newPlatformHarness(t, opts)
	lastRemaining := -1
	var limited *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for limited == nil && time.Now().Before(deadline) {
		resp := h.ssws("/api/v1/logs")
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 429 {
			limited = resp
			break
		}
		_, lastRemaining, _, _ = rateHeaders(t, resp)
		// The simulated client paces itself: at most 40 requests per 2 s window,
		// below its own share of 60, so that only the other clients can empty the bucket.
		time.Sleep(50 * time.Millisecond)
	}
	if limited == nil {
		t.Fatal("no 429 within 10 s although other clients empty the org bucket every window")
	}
	if lastRemaining < 1 {
		t.Errorf("the answer before the 429 had remaining %d; the client's own share must still have had room", lastRemaining)
	}
	_, remaining, reset, date := rateHeaders(t, limited)
	if remaining != 0 || reset < date.Unix() || reset > date.Unix()+3 {
		t.Errorf("429: remaining %d reset %d Date %d, want 0 and the window's end within 2 s", remaining, reset, date.Unix())
	}
	s := h.stats()
	if s.OtherClients429 < 1 || s.RateLimited < 1 || s.OtherClientRequests < 1 {
		t.Errorf("stats otherClients429 %d otherClientRequests %d", s.OtherClients429, s.OtherClientRequests)
	}
	recs := h.requestLog(0).Requests
	if last := recs[len(recs)-1]; last.Status != 429 || last.Cause != CauseOtherClients || last.Reset != reset {
		t.Errorf("last record %+v, want the 429 with cause %s and reset %d", last, CauseOtherClients, reset)
	}
}

// TestPlatform429ResetEarlyAndLate: with the reset429 fault, a bucket's 429 announces a
// reset before, or after, the end of the window its earlier answers announced.
func TestPlatform429ResetEarlyAndLate(t *testing.T) {
	for _, mode := range []string{ResetEarly, ResetLate} {
		t.Run(mode, func(t *testing.T) {
			opts := testPlatformOptions(t)
			opts.RateLimits.Window = 20 * time.Second
			opts.RateLimits.Buckets = map[string]int{BucketLogs: 2} // 1 per client
			opts.Faults.Reset429 = mode
			opts.RecordRequests = 10
			h := newPlatformHarness(t, opts)
			resp := h.ssws("/api/v1/logs")
			resp.Body.Close()
			_, _, windowReset, _ := rateHeaders(t, resp)
			resp = h.ssws("/api/v1/logs")
			resp.Body.Close()
			_, remaining, reset, date := rateHeaders(t, resp)
			if resp.StatusCode != 429 || remaining != 0 {
				t.Fatalf("second request: status %d remaining %d, want 429 and 0", resp.StatusCode, remaining)
			}
			switch mode {
			case ResetEarly:
				if reset < windowReset-11 || reset > windowReset-9 || reset < date.Unix() {
					t.Errorf("early: 429 reset %d, window reset %d, Date %d: want about half a window (10 s) earlier, after Date", reset, windowReset, date.Unix())
				}
			case ResetLate:
				if reset < windowReset+9 || reset > windowReset+11 {
					t.Errorf("late: 429 reset %d, window reset %d: want about half a window (10 s) later", reset, windowReset)
				}
			}
			if r := h.requestLog(0).Requests[1]; r.Reset != reset || r.WindowReset != windowReset || r.Cause != CauseRateLimit {
				t.Errorf("record %+v: want reset %d, window reset %d", r, reset, windowReset)
			}
		})
	}
}

// TestPlatformHeaderless429: the headerlessRate fault answers 429 E0000047 without any
// X-Rate-Limit-* header.
func TestPlatformHeaderless429(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.Faults.HeaderlessRate = 1
	opts.RecordRequests = 10
	h := newPlatformHarness(t, opts)
	resp := h.ssws("/api/v1/users")
	for _, k := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if v := resp.Header.Get(k); v != "" {
			t.Errorf("%s: %q, want no header", k, v)
		}
	}
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if s := h.stats(); s.Headerless429 != 1 || s.Served429 != 1 {
		t.Errorf("stats headerless429 %d served429 %d", s.Headerless429, s.Served429)
	}
	if r := h.requestLog(0).Requests[0]; r.Cause != CauseHeaderless || r.RateHeaders || r.Status != 429 || r.Client != "token-default" {
		t.Errorf("record %+v", r)
	}
	h.mustPut("/_sim/faults", `{"headerlessRate": 0}`)
	resp = h.ssws("/api/v1/users")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("fault off: status %d", resp.StatusCode)
	}
}

// TestPlatformClockSkew: the clockSkew fault moves Date and X-Rate-Limit-Reset together,
// so that reset − Date stays the time left in the window; the request log is on the same
// clock.
func TestPlatformClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{2 * time.Minute, -2 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			opts := testPlatformOptions(t)
			opts.Faults.ClockSkew = skew
			opts.RecordRequests = 10
			h := newPlatformHarness(t, opts)
			before := time.Now()
			resp := h.ssws("/api/v1/users")
			resp.Body.Close()
			_, _, reset, date := rateHeaders(t, resp)
			if d := date.Sub(before.Add(skew)); d < -2*time.Second || d > 2*time.Second {
				t.Errorf("Date %s is %s off the skewed clock", date, d)
			}
			if d := reset - date.Unix(); d < 59 || d > 61 {
				t.Errorf("reset − Date = %d s, want about the 60 s window", d)
			}
			r := h.requestLog(0).Requests[0]
			if d := r.At.Sub(before.Add(skew)); d < -time.Second || d > 2*time.Second {
				t.Errorf("record at %s is %s off the skewed clock", r.At, d)
			}
			if r.Reset != reset || !r.RateHeaders || r.Status != 200 {
				t.Errorf("record %+v, want reset %d", r, reset)
			}
		})
	}
	h := newPlatformHarness(t, testPlatformOptions(t))
	resp := h.putJSON("/_sim/faults", `{"clockSkew": "two minutes"}`)
	var e map[string]string
	decode(t, resp, &e)
	if resp.StatusCode != 400 || !strings.Contains(e["error"], "clockSkew") {
		t.Errorf("bad clockSkew: status %d error %q", resp.StatusCode, e["error"])
	}
}

// TestPlatformRequestLogIsBounded: the log keeps the newest records, counts the dropped
// ones, answers ?since= and forgets on DELETE; without RecordRequests it is empty.
func TestPlatformRequestLogIsBounded(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RecordRequests = 3
	h := newPlatformHarness(t, opts)
	for range 5 {
		resp := h.ssws("/api/v1/zones")
		resp.Body.Close()
	}
	l := h.requestLog(0)
	if l.Capacity != 3 || l.Dropped != 2 || len(l.Requests) != 3 || l.Requests[0].Seq != 3 || l.Requests[2].Seq != 5 {
		t.Fatalf("log = capacity %d dropped %d seqs %v", l.Capacity, l.Dropped, seqs(l.Requests))
	}
	if got := h.requestLog(4).Requests; len(got) != 1 || got[0].Seq != 5 {
		t.Errorf("since=4: seqs %v", seqs(got))
	}
	r := l.Requests[2]
	if r.Method != "GET" || r.Bucket != BucketDefault || r.Status != 200 || !r.RateHeaders || r.Limit != 600 || r.Remaining != 595 || r.Done.Before(r.At) {
		t.Errorf("record %+v", r)
	}
	resp := h.do(http.MethodDelete, "/_sim/requests", "", nil)
	resp.Body.Close()
	if got := h.requestLog(0).Requests; len(got) != 0 {
		t.Errorf("after DELETE: %d records", len(got))
	}
	off := newPlatformHarness(t, testPlatformOptions(t))
	resp = off.ssws("/api/v1/zones")
	resp.Body.Close()
	if l := off.requestLog(0); len(l.Requests) != 0 || l.Capacity != 0 {
		t.Errorf("recording off: %+v", l)
	}
}

func seqs(recs []RequestRecord) []int64 {
	out := make([]int64, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

// TestPlatformHabitFlags: the command-line flags set the habits.
func TestPlatformHabitFlags(t *testing.T) {
	o := DefaultPlatformOptions()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	err := fs.Parse([]string{
		"--bucket", "/api/v1/apps/{id}/users=100", "--bucket", "/api/v1/users/{id}/roles=50",
		"--other-clients", "api_v1=0.8", "--fault-429-reset", "mixed", "--fault-headerless-429", "0.1",
		"--clock-skew", "-2m", "--record-requests", "5000",
	})
	if err != nil {
		t.Fatal(err)
	}
	rl, f := o.RateLimits, o.Faults
	if rl.Endpoints["/api/v1/apps/{id}/users"] != 100 || rl.Endpoints["/api/v1/users/{id}/roles"] != 50 || rl.OtherClients[BucketDefault] != 0.8 ||
		f.Reset429 != ResetMixed || f.HeaderlessRate != 0.1 || f.ClockSkew != -2*time.Minute || o.RecordRequests != 5000 {
		t.Errorf("options = %+v / %+v / record %d", rl, f, o.RecordRequests)
	}
	if err := o.validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
	for _, bad := range [][]string{
		{"--bucket", "/api/v1/apps/0oa1a2b3c4d5e6f7g8h9/users=100"},
		{"--bucket", "/api/v1/apps/{id}/users"},
		{"--other-clients", "api_v1=2"},
		{"--fault-429-reset", "sometimes"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o := DefaultPlatformOptions()
		o.RegisterFlags(fs)
		if err := fs.Parse(bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
	o = DefaultPlatformOptions()
	o.RateLimits.OtherClients = map[string]float64{"/api/v1/nowhere/{id}": 1}
	if err := o.validate(); err == nil || !strings.Contains(err.Error(), "/api/v1/nowhere/{id}") {
		t.Errorf("other clients on an unknown bucket: %v", err)
	}
}
