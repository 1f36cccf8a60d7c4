package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

const testToken = "test-ssws-token-value"

// newTestClient builds a client for the org at url with the given budget.
func newTestClient(t testing.TB, url string, budget float64) *Client {
	t.Helper()
	c, err := New(Params{Endpoint: url, HTTP: &http.Client{Timeout: 10 * time.Second}, Auth: APIToken(testToken), Budget: budget, UserAgent: "otelcol-okta/test"})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestClientSendsSSWSAndFollowsNext(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Add("Link", `<http://`+r.Host+`/api/v1/users?limit=1>; rel="self"`)
		if r.URL.Query().Get("after") == "" {
			w.Header().Add("Link", `<http://`+r.Host+`/api/v1/users?after=00u2&limit=1>; rel="next"`)
		}
		_, _ = w.Write([]byte(`[{"id":"00u1"}]`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, 0.5)
	page, err := c.Fetch(context.Background(), "/api/v1/users?limit=1")
	require.NoError(t, err)
	assert.Equal(t, "SSWS "+testToken, auth.Load())
	assert.Equal(t, srv.URL+"/api/v1/users?after=00u2&limit=1", page.Next)
	page, err = c.Fetch(context.Background(), page.Next)
	require.NoError(t, err)
	assert.Empty(t, page.Next)
}

// TestClientRefusesForeignLink proves that a next link to another origin is refused and
// that no request (so no credential) reaches the foreign host.
func TestClientRefusesForeignLink(t *testing.T) {
	var foreignHits atomic.Int64
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		foreignHits.Add(1)
		_, _ = w.Write([]byte(`[]`))
	}))
	defer foreign.Close()
	org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Add("Link", `<`+foreign.URL+`/api/v1/users?after=x>; rel="next"`)
		_, _ = w.Write([]byte(`[{"id":"00u1"}]`))
	}))
	defer org.Close()
	c := newTestClient(t, org.URL, 0.5)

	var seen int
	err := c.List(context.Background(), resource.List{Path: "/api/v1/users"}, "", func(items []map[string]any) error {
		seen += len(items)
		return nil
	})
	require.ErrorIs(t, err, ErrForeignLink)
	assert.Equal(t, 1, seen)
	assert.NotContains(t, err.Error(), testToken)

	for _, u := range []string{foreign.URL + "/x", "https://" + org.Listener.Addr().String() + "/x", "//evil.example/x", "http://user@" + org.Listener.Addr().String() + "/x"} {
		_, err := c.Fetch(context.Background(), u)
		assert.ErrorIs(t, err, ErrForeignLink, u)
	}
	assert.Zero(t, foreignHits.Load(), "the foreign host must never be contacted")
}

func TestClientErrorsNeverContainToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Okta-Request-Id", "req-1")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, 0.5)
	_, err := c.Fetch(context.Background(), "/api/v1/users")
	require.Error(t, err)
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, 401, ae.Status)
	assert.Equal(t, "E0000011", ae.Code)
	assert.Equal(t, "req-1", ae.RequestID)
	assert.NotContains(t, err.Error(), testToken)
}

// TestClient429WaitsForReset: after a 429 the request is retried only once the bucket's
// X-Rate-Limit-Reset has passed.
func TestClient429WaitsForReset(t *testing.T) {
	var calls atomic.Int64
	var resetAt atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := calls.Add(1)
		w.Header().Set("X-Rate-Limit-Limit", "100")
		if n == 1 {
			reset := time.Now().Add(1500 * time.Millisecond).Unix()
			resetAt.Store(reset)
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`))
			return
		}
		w.Header().Set("X-Rate-Limit-Remaining", "99")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, 0.5)
	_, err := c.Fetch(context.Background(), "/api/v1/users")
	require.NoError(t, err)
	assert.Equal(t, int64(2), calls.Load())
	assert.GreaterOrEqual(t, time.Now().Unix(), resetAt.Load(), "retried before the reset")
	var throttled int64
	for _, b := range c.RateLimits() {
		throttled += b.Throttled
	}
	assert.Equal(t, int64(1), throttled)
}

// TestClientBudgetHonoured: with limit 10 per window and budget 0.5, no window serves
// more than 5 requests, and the 12 requests still all complete.
func TestClientBudgetHonoured(t *testing.T) {
	const limit = 10
	var mu sync.Mutex
	perWindow := map[int64]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		window := time.Now().Unix() // one-second windows, reset at the next second
		perWindow[window]++
		used := perWindow[window]
		mu.Unlock()
		w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(limit-used))
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(window+1, 10))
		if used > limit {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, 0.5)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			_, err := c.Fetch(context.Background(), "/api/v1/policies?type=PASSWORD")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for w, n := range perWindow {
		assert.LessOrEqual(t, n, limit/2, "window %d", w)
		total += n
	}
	assert.Equal(t, 12, total)
}
