package oktasim

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rateHeaders parses X-Rate-Limit-* and Date.
func rateHeaders(t *testing.T, resp *http.Response) (limit, remaining int, reset int64, date time.Time) {
	t.Helper()
	var err error
	if limit, err = strconv.Atoi(resp.Header.Get("X-Rate-Limit-Limit")); err != nil {
		t.Fatalf("X-Rate-Limit-Limit %q: %v", resp.Header.Get("X-Rate-Limit-Limit"), err)
	}
	if remaining, err = strconv.Atoi(resp.Header.Get("X-Rate-Limit-Remaining")); err != nil {
		t.Fatalf("X-Rate-Limit-Remaining %q: %v", resp.Header.Get("X-Rate-Limit-Remaining"), err)
	}
	if reset, err = strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64); err != nil {
		t.Fatalf("X-Rate-Limit-Reset %q: %v", resp.Header.Get("X-Rate-Limit-Reset"), err)
	}
	if date, err = time.Parse(http.TimeFormat, resp.Header.Get("Date")); err != nil {
		t.Fatalf("Date %q: %v", resp.Header.Get("Date"), err)
	}
	return limit, remaining, reset, date
}

func TestPlatformBucketHeaders(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	used := map[string]int{} // bucket → requests so far
	for _, c := range []struct {
		path string
		want int
	}{
		{"/api/v1/users", 300},
		{"/api/v1/users/00u1a2b3c4d5e6f7g8h9", 1000},
		{"/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors", 600},
		{"/api/v1/apps", 50},
		{"/api/v1/apps/0oa1a2b3c4d5e6f7g8h9", 250},
		{"/api/v1/apps/0oa1a2b3c4d5e6f7g8h9/users", 50},
		{"/api/v1/groups", 500 / 2},
		{"/api/v1/groups/rules", 500 / 2},
		{"/api/v1/groups/00g1a2b3c4d5e6f7g8h9", 1000 / 2},
		{"/api/v1/groups/00g1a2b3c4d5e6f7g8h9/users", 500 / 2},
		{"/api/v1/logs", 60},
		{"/api/v1/policies", 600},
		{"/oauth2/v1/clients/0oa1a2b3c4d5e6f7g8h9/roles", 100 / 2},
		{"/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles?x=1", 600},
	} {
		key := bucketOf(nil, "GET", strings.Split(c.path, "?")[0])
		used[key]++
		resp := h.ssws(c.path)
		resp.Body.Close()
		limit, remaining, reset, date := rateHeaders(t, resp)
		if limit != c.want || remaining != c.want-used[key] {
			t.Errorf("%s: limit %d remaining %d, want %d and %d", c.path, limit, remaining, c.want, c.want-used[key])
		}
		if d := reset - date.Unix(); d < 59 || d > 61 {
			t.Errorf("%s: reset %d is %d s after Date, want about 60", c.path, reset, d)
		}
	}
	s := h.stats()
	if s.Buckets[BucketGroups].Requests != 3 || s.Buckets[BucketUserByID].Requests != 1 || s.Buckets[BucketDefault].Requests != 3 {
		t.Errorf("bucket stats = %+v", s.Buckets)
	}
	if s.Paths["GET /api/v1/groups/{id}/users"] != 1 || s.Paths["GET /api/v1/groups/rules"] != 1 {
		t.Errorf("path stats = %+v", s.Paths)
	}
}

func TestPlatformRateLimitExhaustAndReset(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.Tokens = []APIToken{{Value: "second", Role: RoleSuper}, {Value: "third", Role: RoleSuper}}
	opts.RateLimits.Window = time.Second
	opts.RateLimits.Buckets = map[string]int{BucketLogs: 4} // per-token share 50 % → 2
	clock := newManualClock()
	h := newPlatformHarnessWithClock(t, opts, clock.Now)
	get := func(token string) *http.Response {
		return h.do("GET", "/api/v1/logs", "SSWS "+token, nil)
	}
	start := clock.Now() // the clock stands still: every request below is in the window starting now
	for i, wantRemaining := range []int{1, 0} {
		resp := get(DefaultDemoToken)
		resp.Body.Close()
		limit, remaining, _, _ := rateHeaders(t, resp)
		if resp.StatusCode != 200 || limit != 2 || remaining != wantRemaining {
			t.Fatalf("request %d: status %d limit %d remaining %d, want 200, 2, %d", i+1, resp.StatusCode, limit, remaining, wantRemaining)
		}
	}
	resp := get(DefaultDemoToken)
	limit, remaining, reset, date := rateHeaders(t, resp)
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if limit != 2 || remaining != 0 {
		t.Errorf("429: limit %d remaining %d, want 2 and 0", limit, remaining)
	}
	if reset < date.Unix() || reset > start.Add(opts.RateLimits.Window).Unix()+1 {
		t.Errorf("429: reset %d outside [Date %d, window end]", reset, date.Unix())
	}

	// The second token has its own share; together they exhaust the org bucket.
	for i := range 2 {
		resp := get("second")
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("second token request %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp = get("third")
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("third token after the org bucket is spent: status %d, want 429", resp.StatusCode)
	}

	// After the window, capacity is back: the window is [first request, first
	// request + Window), so moving the clock to its end starts a new one.
	clock.Advance(opts.RateLimits.Window)
	resp = get(DefaultDemoToken)
	resp.Body.Close()
	if _, remaining, _, _ := rateHeaders(t, resp); resp.StatusCode != 200 || remaining != 1 {
		t.Errorf("after the window: status %d remaining %d, want 200 and 1", resp.StatusCode, remaining)
	}
	s := h.stats()
	if s.RateLimited != 2 || s.Served429 != 2 || s.Buckets[BucketLogs].Limited != 2 || s.Buckets[BucketLogs].Requests != 7 {
		t.Errorf("stats = rateLimited %d served429 %d logs %+v", s.RateLimited, s.Served429, s.Buckets[BucketLogs])
	}
}

func TestPlatformRateLimitShareAndOff(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Share = 1
	h := newPlatformHarness(t, opts)
	resp := h.ssws("/api/v1/logs")
	resp.Body.Close()
	if limit, _, _, _ := rateHeaders(t, resp); limit != 120 {
		t.Errorf("share 1: limit %d, want 120", limit)
	}

	opts = testPlatformOptions(t)
	opts.RateLimits.Enabled = false
	opts.RateLimits.Buckets = map[string]int{BucketLogs: 1}
	off := newPlatformHarness(t, opts)
	for i := range 20 {
		resp := off.ssws("/api/v1/logs")
		resp.Body.Close()
		limit, remaining, _, _ := rateHeaders(t, resp)
		if resp.StatusCode != 200 || limit < 100000 || remaining < 100000 {
			t.Fatalf("rate limits off, request %d: status %d limit %d remaining %d", i+1, resp.StatusCode, limit, remaining)
		}
	}
}

func TestPlatformConcurrencyLimit(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Concurrency = 2
	h := newPlatformHarness(t, opts)
	var wg sync.WaitGroup
	statuses := make(chan int, 2)
	for range 2 {
		wg.Go(func() {
			resp := h.ssws("/api/v1/slow")
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.stats().InFlight < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two slow requests never got in flight")
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp := h.ssws("/api/v1/users")
	limit, remaining, reset, date := rateHeaders(t, resp)
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if limit != 0 || remaining != 0 || reset <= date.Unix()-1 {
		t.Errorf("concurrency 429 headers: limit %d remaining %d reset %d date %d", limit, remaining, reset, date.Unix())
	}
	close(h.hold)
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != 200 {
			t.Errorf("slow request status %d", st)
		}
	}
	resp = h.ssws("/api/v1/users")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after the slow requests: status %d", resp.StatusCode)
	}
	s := h.stats()
	if s.Concurrency429 != 1 || s.PeakInFlight != 2 || s.InFlight != 0 {
		t.Errorf("stats concurrency429 %d peak %d inFlight %d, want 1, 2, 0", s.Concurrency429, s.PeakInFlight, s.InFlight)
	}
}

func TestPlatformPathTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors": "/api/v1/users/{id}/factors",
		"/api/v1/users/jane.doe@example.com":         "/api/v1/users/{id}",
		"/api/v1/org/privacy/oktaSupport":            "/api/v1/org/privacy/oktaSupport",
		"/api/v1/groups/rules":                       "/api/v1/groups/rules",
		"/api/v1/policies/abcdeFGHijKLmnoPQrsT":      "/api/v1/policies/{id}",
		"/api/v1/meta/types/user":                    "/api/v1/meta/types/user",
		"/oauth2/v1/token":                           "/oauth2/v1/token",
	} {
		if got := pathTemplate(in); got != want {
			t.Errorf("pathTemplate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlatformConcurrencyCountsInjectedLatency(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Concurrency = 1
	opts.Faults.Latency = 400 * time.Millisecond
	opts.Faults.PathPrefix = "/api/v1/users"
	h := newPlatformHarness(t, opts)
	done := make(chan int, 1)
	go func() {
		resp := h.ssws("/api/v1/users")
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	deadline := time.Now().Add(5 * time.Second)
	for h.stats().InFlight < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the delayed request never got in flight")
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp := h.ssws("/api/v1/groups")
	expectOktaError(t, resp, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	if st := <-done; st != 200 {
		t.Errorf("delayed request: status %d", st)
	}
}
