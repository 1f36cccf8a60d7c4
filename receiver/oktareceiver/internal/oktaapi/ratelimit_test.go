package oktaapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

func TestEndpointTemplate(t *testing.T) {
	tests := map[string]string{
		"/api/v1/users?limit=200":                          "/api/v1/users",
		"/api/v1/users/00u1a2b3c4d5e6f7g8h9":               "/api/v1/users/{id}",
		"/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles":         "/api/v1/users/{id}/roles",
		"/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors/":      "/api/v1/users/{id}/factors",
		"/api/v1/users/jane.doe%40example.com":             "/api/v1/users/{id}",
		"/api/v1/groups/rules":                             "/api/v1/groups/rules",
		"/api/v1/groups/00g1/users":                        "/api/v1/groups/{id}/users",
		"/api/v1/apps/0oa1/groups":                         "/api/v1/apps/{id}/groups",
		"/api/v1/authorizationServers":                     "/api/v1/authorizationServers",
		"/api/v1/authorizationServers/ausAbCdEfGhIjKlMnOp": "/api/v1/authorizationServers/{id}",
		"/api/v1/org/privacy/oktaSupport":                  "/api/v1/org/privacy/oktaSupport",
		"/api/v1/meta/types/user":                          "/api/v1/meta/types/user",
		"/api/v1/logs?since=x":                             "/api/v1/logs",
		"/oauth2/v1/token":                                 "/oauth2/v1/token",
		"/.well-known/okta-organization":                   "/.well-known/okta-organization",
		"/api/v1/iam/assignees/users?limit=100":            "/api/v1/iam/assignees/users",
	}
	for path, want := range tests {
		assert.Equal(t, want, endpointTemplate(path), path)
	}
}

// fakeOrg is an httptest org whose answers come from answer; it records when each request
// of each path arrived.
type fakeOrg struct {
	srv *httptest.Server
	mu  sync.Mutex
	log []fakeRequest
}

type fakeRequest struct {
	path string
	at   time.Time
}

func newFakeOrg(t *testing.T, answer func(n int, r *http.Request, w http.ResponseWriter)) *fakeOrg {
	t.Helper()
	o := &fakeOrg{}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.log = append(o.log, fakeRequest{path: r.URL.Path, at: time.Now()})
		n := len(o.log)
		o.mu.Unlock()
		answer(n, r, w)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *fakeOrg) requests() []fakeRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]fakeRequest(nil), o.log...)
}

// rateHeaders writes X-Rate-Limit-* headers; reset is converted to epoch seconds
// (rounded up, as Okta's are whole seconds) of the clock whose now is serverNow.
func rateHeaders(w http.ResponseWriter, limit, remaining int, reset, serverNow time.Time) {
	w.Header().Set("Date", serverNow.UTC().Format(http.TimeFormat))
	w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	epoch := reset.Unix()
	if reset.Nanosecond() > 0 {
		epoch++
	}
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(epoch, 10))
}

func tooMany(w http.ResponseWriter) {
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`))
}

// TestClient429ResetEarlierThanWindowIsObeyed: a 429 whose reset is earlier than the
// window the bucket's earlier answers announced is not taken for an old answer: it holds
// every request of the bucket back until its reset.
func TestClient429ResetEarlierThanWindowIsObeyed(t *testing.T) {
	windowEnd := time.Now().Add(2500 * time.Millisecond)
	var reset429 time.Time
	org := newFakeOrg(t, func(n int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		switch n {
		case 1:
			rateHeaders(w, 100, 90, windowEnd, now)
			_, _ = w.Write([]byte(`[]`))
		case 2:
			reset429 = now.Add(time.Second)
			rateHeaders(w, 100, 0, reset429, now)
			tooMany(w)
		default:
			rateHeaders(w, 100, 99, now.Add(time.Minute), now)
			_, _ = w.Write([]byte(`[]`))
		}
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	_, err := c.Fetch(context.Background(), "/api/v1/apps/0oa1/users")
	require.NoError(t, err)
	_, err = c.Fetch(context.Background(), "/api/v1/apps/0oa2/users")
	require.NoError(t, err, "the 429 is waited out and the request sent again")
	reqs := org.requests()
	require.Len(t, reqs, 3)
	epoch := time.Unix(reset429.Unix()+1, 0)
	assert.False(t, reqs[2].at.Before(epoch), "request after the 429 at %s, before its reset %s", reqs[2].at, epoch)
	snap := snapshotByName(c)
	require.Contains(t, snap, "/api/v1/apps/{id}/users")
	assert.Equal(t, int64(1), snap["/api/v1/apps/{id}/users"].Throttled)
	assert.Positive(t, snap["/api/v1/apps/{id}/users"].WaitSeconds)
}

// TestClient429ResetLaterThanWindowIsObeyed: a 429 announcing a reset after the end of
// the window the earlier answers announced holds the bucket until then.
func TestClient429ResetLaterThanWindowIsObeyed(t *testing.T) {
	start := time.Now()
	windowEnd := start.Add(500 * time.Millisecond)
	reset429 := start.Add(2 * time.Second)
	org := newFakeOrg(t, func(n int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		switch n {
		case 1:
			rateHeaders(w, 100, 60, windowEnd, now)
			_, _ = w.Write([]byte(`[]`))
		case 2:
			rateHeaders(w, 100, 0, reset429, now)
			tooMany(w)
		default:
			rateHeaders(w, 100, 99, now.Add(time.Minute), now)
			_, _ = w.Write([]byte(`[]`))
		}
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	for range 2 {
		_, err := c.Fetch(context.Background(), "/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles")
		require.NoError(t, err)
	}
	reqs := org.requests()
	require.Len(t, reqs, 3)
	reqs = reqs[1:]
	epoch := time.Unix(reset429.Unix()+1, 0)
	assert.False(t, reqs[1].at.Before(epoch), "sent at %s, before the announced reset %s", reqs[1].at, epoch)
}

// TestClient429WithSkewedDateWaitsForTheServersReset: X-Rate-Limit-Reset is on the
// server's clock; with a Date two minutes off, the wait is still reset − Date.
func TestClient429WithSkewedDateWaitsForTheServersReset(t *testing.T) {
	for _, skew := range []time.Duration{2 * time.Minute, -2 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			var announced time.Time // reset on the local clock
			org := newFakeOrg(t, func(n int, _ *http.Request, w http.ResponseWriter) {
				now := time.Now()
				if n == 1 {
					announced = now.Add(1500 * time.Millisecond)
					rateHeaders(w, 50, 0, announced.Add(skew), now.Add(skew))
					tooMany(w)
					return
				}
				rateHeaders(w, 50, 49, now.Add(time.Minute+skew), now.Add(skew))
				_, _ = w.Write([]byte(`[]`))
			})
			c := newTestClient(t, org.srv.URL, 0.5)
			begin := time.Now()
			_, err := c.Fetch(context.Background(), "/api/v1/logs")
			require.NoError(t, err)
			reqs := org.requests()
			require.Len(t, reqs, 2)
			assert.False(t, reqs[1].at.Before(announced), "sent %s before the reset", announced.Sub(reqs[1].at))
			assert.Less(t, time.Since(begin), 30*time.Second, "the skew itself is not waited for")
		})
	}
}

// TestClientConcurrency429BacksOffTheEndpointOnly: a 429 without usable headers (Okta's
// concurrency limit) backs off its endpoint template with jitter, and other endpoints
// go on at once.
func TestClientConcurrency429BacksOffTheEndpointOnly(t *testing.T) {
	org := newFakeOrg(t, func(n int, r *http.Request, w http.ResponseWriter) {
		now := time.Now()
		if r.URL.Path == "/api/v1/groups/00g1/users" && n == 1 {
			w.Header().Set("X-Rate-Limit-Limit", "0")
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			tooMany(w)
			return
		}
		rateHeaders(w, 100, 99, now.Add(time.Minute), now)
		_, _ = w.Write([]byte(`[]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	done := make(chan error, 1)
	go func() {
		_, err := c.Fetch(context.Background(), "/api/v1/groups/00g1/users")
		done <- err
	}()
	require.Eventually(t, func() bool { return len(org.requests()) == 1 }, 5*time.Second, time.Millisecond)
	begin := time.Now()
	_, err := c.Fetch(context.Background(), "/api/v1/policies?type=PASSWORD")
	require.NoError(t, err)
	assert.Less(t, time.Since(begin), concurrencyBackoffInitial/2, "another endpoint is not held back")
	require.NoError(t, <-done)
	var first, retry time.Time
	for _, r := range org.requests() {
		if r.path == "/api/v1/groups/00g1/users" {
			if first.IsZero() {
				first = r.at
			} else {
				retry = r.at
			}
		}
	}
	require.False(t, retry.IsZero())
	assert.GreaterOrEqual(t, retry.Sub(first), concurrencyBackoffInitial/2, "backed off at least the jittered initial interval")
}

// TestClient429UntilTheDeadline: an endpoint that answers nothing but 429 is asked again
// only after each announced reset, and the request fails with the 429 once the next reset
// lies past its rate-limit deadline.
func TestClient429UntilTheDeadline(t *testing.T) {
	org := newFakeOrg(t, func(_ int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		rateHeaders(w, 100, 0, now.Add(700*time.Millisecond), now)
		tooMany(w)
	})
	c := newTestClient(t, org.srv.URL, 1)
	ctx := WithRateLimitDeadline(context.Background(), time.Now().Add(3*time.Second))
	_, err := c.Fetch(ctx, "/api/v1/logs")
	var waitErr *RateLimitWaitError
	require.ErrorAs(t, err, &waitErr)
	assert.True(t, (Classify(err) == KindRateLimited))
	ae := AsAPIError(err)
	require.NotNil(t, ae, "the last 429 is wrapped")
	assert.Equal(t, http.StatusTooManyRequests, ae.Status)
	reqs := org.requests()
	assert.GreaterOrEqual(t, len(reqs), 2)
	assert.LessOrEqual(t, len(reqs), 4, "one request per announced reset, never a burst")
	for i := 1; i < len(reqs); i++ {
		assert.GreaterOrEqual(t, reqs[i].at.Sub(reqs[i-1].at), 500*time.Millisecond, "request %d", i)
	}
}

// TestClient5xxRetriedWithBackoffThenFails: 5xx answers are retried a bounded number of
// times with a growing delay; a later success ends the retries.
func TestClient5xxRetriedWithBackoffThenFails(t *testing.T) {
	org := newFakeOrg(t, func(n int, r *http.Request, w http.ResponseWriter) {
		if r.URL.Path == "/api/v1/zones" && n == 3 {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	_, err := c.Fetch(context.Background(), "/api/v1/zones")
	require.NoError(t, err, "the third attempt succeeds")
	_, err = c.Fetch(context.Background(), "/api/v1/idps")
	ae := AsAPIError(err)
	require.NotNil(t, ae)
	assert.Equal(t, 500, ae.Status)
	reqs := org.requests()
	require.Len(t, reqs, 3+maxServerAttempts)
	for _, i := range []int{1, 2, 4, 5} {
		assert.GreaterOrEqual(t, reqs[i].at.Sub(reqs[i-1].at), retryInitialInterval/2, "request %d waited", i)
	}
}

// TestLimiterLearnsBucketsFromAnswers: endpoints whose answers report the same limit and
// reset share one bucket (named after the first of them) and one budget; an endpoint
// reporting another limit gets a bucket of its own.
func TestLimiterLearnsBucketsFromAnswers(t *testing.T) {
	window := time.Now().Add(30 * time.Second)
	var mu sync.Mutex
	used := 0
	org := newFakeOrg(t, func(_ int, r *http.Request, w http.ResponseWriter) {
		now := time.Now()
		if r.URL.Path == "/api/v1/idps" {
			rateHeaders(w, 20, 19, now.Add(45*time.Second), now)
			_, _ = w.Write([]byte(`[]`))
			return
		}
		mu.Lock()
		used++
		rem := 10 - used
		mu.Unlock()
		rateHeaders(w, 10, rem, window, now)
		_, _ = w.Write([]byte(`[]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	for _, p := range []string{"/api/v1/zones", "/api/v1/trustedOrigins", "/api/v1/idps", "/api/v1/zones", "/api/v1/trustedOrigins"} {
		_, err := c.Fetch(context.Background(), p)
		require.NoError(t, err)
	}
	snap := snapshotByName(c)
	require.Contains(t, snap, "/api/v1/zones")
	require.Contains(t, snap, "/api/v1/idps")
	assert.NotContains(t, snap, "/api/v1/trustedOrigins", "same limit and reset: one bucket")
	assert.Equal(t, int64(4), snap["/api/v1/zones"].Requests["2xx"])
	assert.Equal(t, int64(10), snap["/api/v1/zones"].Limit)
	assert.Equal(t, int64(6), snap["/api/v1/zones"].Remaining)
	assert.Equal(t, int64(20), snap["/api/v1/idps"].Limit)

	// The shared budget (5 of 10) has one request left: the next one of either endpoint
	// passes, the one after waits for the window.
	_, err := c.Fetch(context.Background(), "/api/v1/trustedOrigins")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.Fetch(WithRateLimitDeadline(ctx, time.Now().Add(time.Second)), "/api/v1/zones")
	var waitErr *RateLimitWaitError
	require.ErrorAs(t, err, &waitErr, "budget used: the bucket admits nothing before its reset")
	assert.Equal(t, "/api/v1/zones", waitErr.bucket)
}

// TestLimiterSplitsAnEndpointWithAnotherWindow: an endpoint that shared a bucket but then
// reports a different window while the bucket's is running gets a bucket of its own.
func TestLimiterSplitsAnEndpointWithAnotherWindow(t *testing.T) {
	base := time.Now().Add(40 * time.Second)
	org := newFakeOrg(t, func(n int, r *http.Request, w http.ResponseWriter) {
		now := time.Now()
		reset := base
		if r.URL.Path == "/api/v1/features" && n > 2 {
			reset = base.Add(10 * time.Second)
		}
		rateHeaders(w, 100, 90, reset, now)
		_, _ = w.Write([]byte(`[]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	for _, p := range []string{"/api/v1/eventHooks", "/api/v1/features"} {
		_, err := c.Fetch(context.Background(), p)
		require.NoError(t, err)
	}
	assert.NotContains(t, snapshotByName(c), "/api/v1/features")
	_, err := c.Fetch(context.Background(), "/api/v1/features")
	require.NoError(t, err)
	snap := snapshotByName(c)
	require.Contains(t, snap, "/api/v1/features")
	assert.True(t, snap["/api/v1/features"].Known)
}

func snapshotByName(c *Client) map[string]BucketStats {
	out := map[string]BucketStats{}
	for _, b := range c.RateLimits() {
		out[b.Bucket] = b
	}
	return out
}

// TestListAllResumesTheSamePageAfter429: a listing throttled in the middle waits for the
// reset and asks for the same page again; nothing is lost or repeated.
func TestListAllResumesTheSamePageAfter429(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	throttled := 0
	org := newFakeOrg(t, func(_ int, r *http.Request, w http.ResponseWriter) {
		now := time.Now()
		mu.Lock()
		asked = append(asked, r.URL.RawQuery)
		after := r.URL.Query().Get("after")
		if after == "2" && throttled < 3 {
			throttled++
			mu.Unlock()
			rateHeaders(w, 100, 0, now.Add(300*time.Millisecond), now)
			tooMany(w)
			return
		}
		mu.Unlock()
		rateHeaders(w, 100, 90, now.Add(time.Minute), now)
		n, _ := strconv.Atoi(after)
		if n < 3 {
			w.Header().Add("Link", `<http://`+r.Host+`/api/v1/users?after=`+strconv.Itoa(n+1)+`>; rel="next"`)
		}
		_, _ = w.Write([]byte(`[{"id":"u` + strconv.Itoa(n) + `"}]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	var ids []string
	err := c.List(context.Background(), resource.List{Path: "/api/v1/users"}, "", func(items []map[string]any) error {
		for _, it := range items {
			ids = append(ids, resource.Path("id").Text(it))
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"u0", "u1", "u2", "u3"}, ids)
	assert.Equal(t, []string{"", "after=1", "after=2", "after=2", "after=2", "after=2", "after=3"}, asked)
}

// TestLimiterFailsFastPastTheDeadline: a request that could only be sent after its
// deadline fails at once instead of waiting.
func TestLimiterFailsFastPastTheDeadline(t *testing.T) {
	org := newFakeOrg(t, func(_ int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		rateHeaders(w, 100, 0, now.Add(20*time.Second), now)
		tooMany(w)
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	begin := time.Now()
	_, err := c.Fetch(WithRateLimitDeadline(context.Background(), time.Now().Add(time.Second)), "/api/v1/users")
	require.Error(t, err)
	assert.True(t, (Classify(err) == KindRateLimited))
	assert.Less(t, time.Since(begin), 900*time.Millisecond)
	assert.Len(t, org.requests(), 1)
	assert.True(t, errors.As(err, new(*RateLimitWaitError)))
}

// TestLimiterMergesBucketsFoundToShareAWindow: an endpoint first seen after its bucket's
// window rolled over gets a bucket of its own; once the older endpoint reports the same
// window, the two are one bucket (named after the older) and share one budget.
func TestLimiterMergesBucketsFoundToShareAWindow(t *testing.T) {
	first := time.Now().Add(700 * time.Millisecond)
	second := first.Add(time.Minute)
	org := newFakeOrg(t, func(n int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		reset := second
		if n == 1 {
			reset = first
		}
		rateHeaders(w, 40, 30, reset, now)
		_, _ = w.Write([]byte(`[]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	_, err := c.Fetch(context.Background(), "/api/v1/zones")
	require.NoError(t, err)
	time.Sleep(time.Until(first.Add(1100 * time.Millisecond))) // the first window is over
	_, err = c.Fetch(context.Background(), "/api/v1/idps")
	require.NoError(t, err)
	require.Contains(t, snapshotByName(c), "/api/v1/idps", "not known to share a window yet")
	_, err = c.Fetch(context.Background(), "/api/v1/zones")
	require.NoError(t, err)
	c.limiter.mu.Lock()
	defer c.limiter.mu.Unlock()
	require.Len(t, c.limiter.buckets, 1)
	for b := range c.limiter.buckets {
		assert.Equal(t, "/api/v1/zones", b.name)
		assert.Equal(t, 2, b.members)
	}
}

// TestLimiterNewEndpointWaitsForActiveBlocks: an endpoint whose bucket is unknown may
// count against a bucket a 429 blocked; its first request waits for that reset.
func TestLimiterNewEndpointWaitsForActiveBlocks(t *testing.T) {
	var reset429 time.Time
	org := newFakeOrg(t, func(n int, _ *http.Request, w http.ResponseWriter) {
		now := time.Now()
		if n == 1 {
			reset429 = now.Add(800 * time.Millisecond)
			rateHeaders(w, 100, 0, reset429, now)
			tooMany(w)
			return
		}
		rateHeaders(w, 100, 90, now.Add(time.Minute), now)
		_, _ = w.Write([]byte(`[]`))
	})
	c := newTestClient(t, org.srv.URL, 0.5)
	// The 429 of the first endpoint; the deadline ends its own retry at once.
	_, err := c.Fetch(WithRateLimitDeadline(context.Background(), time.Now().Add(100*time.Millisecond)), "/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors")
	require.True(t, (Classify(err) == KindRateLimited))
	_, err = c.Fetch(context.Background(), "/api/v1/policies?type=PASSWORD")
	require.NoError(t, err)
	reqs := org.requests()
	require.Len(t, reqs, 2)
	epoch := time.Unix(reset429.Unix()+1, 0)
	assert.False(t, reqs[1].at.Before(epoch), "the new endpoint's first request came %s before the reset", epoch.Sub(reqs[1].at))
}

// TestServerClockNeverOverestimatesTheOffset: Date is whole seconds rounded down, so the
// estimate of the server's clock offset stays at or below the true offset and, after
// answers at various fractions of a second, comes within a small part of a second of it.
func TestServerClockNeverOverestimatesTheOffset(t *testing.T) {
	for _, offset := range []time.Duration{2 * time.Minute, -2 * time.Minute, 0} {
		var c serverClock
		local := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		var est time.Duration
		for i := range 40 {
			local = local.Add(time.Duration(137+i*61) * time.Millisecond)
			serverNow := local.Add(offset).Add(-3 * time.Millisecond) // written 3 ms before arrival
			h := http.Header{}
			h.Set("Date", serverNow.Truncate(time.Second).Format(http.TimeFormat))
			est = c.observe(h, local)
			assert.LessOrEqual(t, est, offset, "answer %d", i)
		}
		assert.Greater(t, est, offset-200*time.Millisecond, "offset %s", offset)
	}
	var c serverClock
	assert.Zero(t, c.observe(http.Header{}, time.Now()), "no Date: the local clock is trusted")
}
