package oktareceiver

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// bucketFor maps a request path to the Okta rate-limit bucket it counts against
// (REFERENCE §4.2): /api/v1/apps and its sub-resources, /api/v1/apps/{id} exactly,
// /api/v1/groups and sub-resources, /api/v1/groups/{id} exactly, /api/v1/users
// exactly, /api/v1/users/{idOrLogin} exactly, /api/v1/logs, /oauth2/*, and the
// org-wide /api/v1 bucket for everything else (policies, zones, factors, roles...).
func bucketFor(path string) metadata.AttributeOktaRateLimitBucket {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	path = strings.TrimSuffix(path, "/")
	if strings.HasPrefix(path, "/oauth2/") {
		return metadata.AttributeOktaRateLimitBucketOauth2
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return metadata.AttributeOktaRateLimitBucketDefault
	}
	seg := strings.Split(rest, "/")
	switch seg[0] {
	case "apps":
		if len(seg) == 2 {
			return metadata.AttributeOktaRateLimitBucketAppByID
		}
		return metadata.AttributeOktaRateLimitBucketApps
	case "groups":
		if len(seg) == 2 && seg[1] != "rules" {
			return metadata.AttributeOktaRateLimitBucketGroupByID
		}
		return metadata.AttributeOktaRateLimitBucketGroups
	case "users":
		switch len(seg) {
		case 1:
			return metadata.AttributeOktaRateLimitBucketUsers
		case 2:
			return metadata.AttributeOktaRateLimitBucketUserByID
		}
	case "logs":
		return metadata.AttributeOktaRateLimitBucketLogs
	}
	return metadata.AttributeOktaRateLimitBucketDefault
}

// bucketState is what the X-Rate-Limit-* headers told us about one bucket, plus our
// own in-flight reservations and counters.
type bucketState struct {
	known     bool      // limit/remaining/reset came from a response
	limit     int64     // X-Rate-Limit-Limit
	remaining int64     // X-Rate-Limit-Remaining
	reset     time.Time // X-Rate-Limit-Reset, converted to the local clock
	inflight  int64     // requests sent and not answered yet

	requests  map[metadata.AttributeOktaAPIStatusClass]int64
	throttled int64
}

// rateLimiter is one shared budget per Okta bucket. A request may be sent when, after
// it and every request in flight, X-Rate-Limit-Remaining stays at or above
// (1-budget) × limit; otherwise it waits for the bucket's reset. Before the first
// response of a bucket, one request at a time is let through to learn the headers.
type rateLimiter struct {
	budget float64
	now    func() time.Time

	mu      sync.Mutex
	buckets map[metadata.AttributeOktaRateLimitBucket]*bucketState
	changed chan struct{} // closed and replaced whenever a bucket state changes
}

func newRateLimiter(budget float64) *rateLimiter {
	return &rateLimiter{
		budget:  budget,
		now:     time.Now,
		buckets: map[metadata.AttributeOktaRateLimitBucket]*bucketState{},
		changed: make(chan struct{}),
	}
}

func (r *rateLimiter) state(b metadata.AttributeOktaRateLimitBucket) *bucketState {
	s, ok := r.buckets[b]
	if !ok {
		s = &bucketState{requests: map[metadata.AttributeOktaAPIStatusClass]int64{}}
		r.buckets[b] = s
	}
	return s
}

// reserve returns the number of requests that must stay unused in a window of limit.
func (r *rateLimiter) reserve(limit int64) int64 {
	return int64(math.Floor((1 - r.budget) * float64(limit)))
}

// acquire blocks until a request may be sent to bucket b (or ctx ends) and reserves it.
// Every successful acquire must be followed by exactly one release.
func (r *rateLimiter) acquire(ctx context.Context, b metadata.AttributeOktaRateLimitBucket) error {
	for {
		r.mu.Lock()
		s := r.state(b)
		now := r.now()
		if s.known && !s.reset.IsZero() && !now.Before(s.reset) {
			// The window has reset: assume a full bucket until the next response says otherwise.
			s.remaining, s.reset = s.limit, time.Time{}
		}
		var wait time.Duration
		switch {
		case !s.known:
			if s.inflight == 0 {
				s.inflight++
				r.mu.Unlock()
				return nil
			}
		case s.remaining-s.inflight-1 >= r.reserve(s.limit):
			s.inflight++
			r.mu.Unlock()
			return nil
		case !s.reset.IsZero():
			wait = s.reset.Sub(now) + 20*time.Millisecond
		default:
			wait = time.Second // no reset time known: re-check soon
		}
		changed := r.changed
		r.mu.Unlock()

		var timer *time.Timer
		var fire <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// release ends a reservation and records what the response said. resp may be nil
// (transport error).
func (r *rateLimiter) release(b metadata.AttributeOktaRateLimitBucket, resp *http.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.state(b)
	if s.inflight > 0 {
		s.inflight--
	}
	class := metadata.AttributeOktaAPIStatusClassError
	if resp != nil {
		class = statusClass(resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			s.throttled++
		}
		r.update(s, resp)
	}
	s.requests[class]++
	close(r.changed)
	r.changed = make(chan struct{})
}

// update copies the X-Rate-Limit-* headers into s. X-Rate-Limit-Reset is in UTC epoch
// seconds of the server's clock; the Date header, when present, corrects clock skew.
func (r *rateLimiter) update(s *bucketState, resp *http.Response) {
	h := resp.Header
	limit, errL := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")), 10, 64)
	remaining, errR := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")), 10, 64)
	resetEpoch, errT := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64)
	if errL != nil || errR != nil || limit < 0 || remaining < 0 {
		if resp.StatusCode == http.StatusTooManyRequests && s.known {
			s.remaining = 0
			if s.reset.IsZero() {
				s.reset = r.now().Add(time.Second)
			}
		}
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		remaining = 0
	}
	now := r.now()
	reset := time.Time{}
	if errT == nil && resetEpoch > 0 {
		reset = time.Unix(resetEpoch, 0)
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			reset = now.Add(reset.Sub(d))
		}
		// Bound absurd values (a broken clock must not stall the receiver for long).
		if reset.Sub(now) > 5*time.Minute {
			reset = now.Add(5 * time.Minute)
		}
	}
	if limit == 0 && remaining == 0 && reset.IsZero() {
		reset = now.Add(time.Second) // concurrency 429: the reset is only an estimate
	}
	// A response from an older window must not overwrite a newer window's numbers.
	if s.known && !s.reset.IsZero() && !reset.IsZero() && reset.Before(s.reset.Add(-time.Second)) {
		return
	}
	if s.known && !reset.IsZero() && !s.reset.IsZero() && reset.Sub(s.reset).Abs() <= time.Second && remaining > s.remaining {
		// Same window, answers out of order: keep the lower remaining.
		remaining = s.remaining
	}
	s.known, s.limit, s.remaining, s.reset = true, limit, remaining, reset
}

func statusClass(code int) metadata.AttributeOktaAPIStatusClass {
	switch code / 100 {
	case 1:
		return metadata.AttributeOktaAPIStatusClass1xx
	case 2:
		return metadata.AttributeOktaAPIStatusClass2xx
	case 3:
		return metadata.AttributeOktaAPIStatusClass3xx
	case 4:
		return metadata.AttributeOktaAPIStatusClass4xx
	case 5:
		return metadata.AttributeOktaAPIStatusClass5xx
	}
	return metadata.AttributeOktaAPIStatusClassError
}

// bucketSnapshot is the state of one bucket as exposed to the metrics scraper.
type bucketSnapshot struct {
	Bucket    metadata.AttributeOktaRateLimitBucket
	Known     bool
	Limit     int64
	Remaining int64
	Requests  map[metadata.AttributeOktaAPIStatusClass]int64
	Throttled int64
}

// snapshot copies the state of every bucket seen so far.
func (r *rateLimiter) snapshot() []bucketSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]bucketSnapshot, 0, len(r.buckets))
	for b, s := range r.buckets {
		req := make(map[metadata.AttributeOktaAPIStatusClass]int64, len(s.requests))
		for k, v := range s.requests {
			req[k] = v
		}
		out = append(out, bucketSnapshot{Bucket: b, Known: s.known, Limit: s.limit, Remaining: s.remaining, Requests: req, Throttled: s.throttled})
	}
	return out
}
