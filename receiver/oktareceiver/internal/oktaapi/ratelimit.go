package oktaapi

import (
	"context"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
)

// The rate limiter believes Okta's answers, never a table of its own.
//
// Okta counts requests in buckets: many endpoint-specific ones plus org-wide ones that
// every other client of the org draws from, each with its own limit and its own window
// (about a minute, not aligned to the clock). Every request is keyed by its endpoint
// template (endpointTemplate). The first request of a template goes out alone; its
// answer's X-Rate-Limit-* headers place the template in a learned bucket: the bucket of
// templates that report the same limit and the same reset (the same window), or a new one
// named after the template. From then on the bucket's budget gates every template in it.
// Two buckets whose windows turn out to be the same (same limit and reset) become one.
//
// A 429 is authoritative: nothing in its bucket is sent before its X-Rate-Limit-Reset
// (on the server's clock, which the Date headers tell: serverClock), whatever earlier
// answers said.
// A 429 without usable headers (a concurrency-limit 429: limit 0, reset an estimate or
// absent) backs off its endpoint template alone, exponentially with jitter. A template
// whose bucket is not known yet waits until no bucket is blocked by a 429, since it may
// count against one of them.

const (
	// resetMargin is added to every wait for a reset: the reset is whole seconds.
	resetMargin = 100 * time.Millisecond
	// maxResetWait bounds a wait read from headers, so that a broken reset value cannot
	// stall the receiver for hours (Okta's windows are one minute).
	maxResetWait = 10 * time.Minute
	// defaultRateLimitPatience bounds the rate-limit waits of one request whose context
	// carries no deadline (WithRateLimitDeadline): it then fails with *RateLimitWaitError.
	// It is longer than any single wait (maxResetWait), so a request sent again after such
	// a failure always waits rather than failing at once.
	defaultRateLimitPatience = 15 * time.Minute
	// sameWindowTolerance: two answers whose X-Rate-Limit-Reset differ by at most this
	// many seconds describe the same window.
	sameWindowTolerance = 1
	// maxTemplates bounds the number of endpoint templates (and so of metric series);
	// any further template shares the key otherTemplate.
	maxTemplates  = 512
	otherTemplate = "other"
	// Per-template backoff after a 429 without usable headers.
	concurrencyBackoffInitial = time.Second
	concurrencyBackoffMax     = 30 * time.Second
)

// learnedBucket is one Okta rate-limit bucket as its answers describe it.
type learnedBucket struct {
	name    string // the first endpoint template seen in it
	seq     int    // creation order: of two buckets found to be one, the older stays
	members int    // templates currently in it

	known      bool      // limit/remaining/reset came from an answer
	limit      int64     // X-Rate-Limit-Limit
	remaining  int64     // X-Rate-Limit-Remaining, the lowest seen in the window
	resetEpoch int64     // X-Rate-Limit-Reset as sent (server clock): the window's identity
	reset      time.Time // the same instant on the local clock
	inflight   int64     // requests sent and not answered yet

	// blockedUntil is the latest reset a 429 announced: nothing is sent before it.
	blockedUntil time.Time
	// probing: after a 429, one request at a time until an answer tells the numbers again.
	probing bool
}

// remainingAt is what may still be spent at now: the window's remaining, or the whole
// limit once the window has ended.
func (b *learnedBucket) remainingAt(now time.Time) int64 {
	if !b.reset.IsZero() && !now.Before(b.reset) {
		return b.limit
	}
	return b.remaining
}

// templateState is one endpoint template.
type templateState struct {
	key    string
	bucket *learnedBucket // nil until an answer carried usable rate-limit headers
	// probing counts requests in flight while the bucket is unknown (at most one).
	probing int64
	// blockedUntil holds the template back after a 429 without usable headers.
	blockedUntil time.Time
	backoff      *backoff.ExponentialBackOff
}

// bucketCounters are the cumulative counters of one bucket name, kept when the bucket
// merges into another so that the metric series stay monotonic.
type bucketCounters struct {
	requests  map[string]int64 // by status class
	throttled int64
	waited    time.Duration
	// inThrottle is true between a 429 and the next 2xx: the throttled/recovered log
	// lines are written on its changes only.
	inThrottle bool
	since      time.Time
}

// rateLimiter is the receiver's shared view of Okta's rate limits. A request may be sent
// when, after it and every request in flight, its bucket's X-Rate-Limit-Remaining stays
// at or above (1-budget) × limit; otherwise it waits for the bucket's reset.
type rateLimiter struct {
	budget float64
	now    func() time.Time
	logger *zap.Logger

	mu        sync.Mutex
	templates map[string]*templateState
	buckets   map[*learnedBucket]struct{}
	created   int // buckets created so far
	counters  map[string]*bucketCounters
	clock     serverClock
	changed   chan struct{} // closed and replaced whenever an answer was recorded
}

func newRateLimiter(budget float64) *rateLimiter {
	return &rateLimiter{
		budget:    budget,
		now:       time.Now,
		logger:    zap.NewNop(),
		templates: map[string]*templateState{},
		buckets:   map[*learnedBucket]struct{}{},
		counters:  map[string]*bucketCounters{},
		changed:   make(chan struct{}),
	}
}

func (r *rateLimiter) template(key string) *templateState {
	t, ok := r.templates[key]
	if ok {
		return t
	}
	if len(r.templates) >= maxTemplates {
		key = otherTemplate
		if t, ok := r.templates[key]; ok {
			return t
		}
	}
	t = &templateState{key: key, backoff: NewBackoff(concurrencyBackoffInitial, concurrencyBackoffMax)}
	r.templates[key] = t
	return t
}

func (r *rateLimiter) countersOf(name string) *bucketCounters {
	c, ok := r.counters[name]
	if !ok {
		c = &bucketCounters{requests: map[string]int64{}}
		r.counters[name] = c
	}
	return c
}

// nameOf is the metric name of what t counts against.
func nameOf(t *templateState) string {
	if t.bucket != nil {
		return t.bucket.name
	}
	return t.key
}

// reserve returns the number of requests that must stay unused in a window of limit.
func (r *rateLimiter) reserve(limit int64) int64 {
	return int64(math.Floor((1 - r.budget) * float64(limit)))
}

// permit is one request admitted by acquire; release it with the answer.
type permit struct {
	tpl    *templateState
	bucket *learnedBucket // nil: the probe of a template whose bucket is unknown
}

// acquire blocks until a request for endpoint template key may be sent and reserves it.
// It fails with ctx's error, or with *RateLimitWaitError (wrapping last) when the
// request could only go after deadline. Every permit must be released exactly once.
func (r *rateLimiter) acquire(ctx context.Context, key string, deadline time.Time, last error) (*permit, error) {
	start := r.now()
	waited := false
	for {
		r.mu.Lock()
		t := r.template(key)
		now := r.now()
		p, wait := r.admit(t, now)
		name := nameOf(t)
		if p != nil {
			if waited {
				r.countersOf(name).waited += now.Sub(start)
			}
			r.mu.Unlock()
			return p, nil
		}
		changed := r.changed
		r.mu.Unlock()

		// wait 0 means "until an answer in flight arrives": re-check at the deadline at the latest.
		if (wait > 0 && now.Add(wait).After(deadline)) || (wait <= 0 && !now.Before(deadline)) {
			r.addWait(name, now.Sub(start))
			return nil, &RateLimitWaitError{bucket: name, until: now.Add(max(wait, 0)), last: last}
		}
		if wait <= 0 {
			wait = deadline.Sub(now)
		}
		waited = true
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
		if err := ctx.Err(); err != nil {
			r.addWait(name, r.now().Sub(start))
			return nil, err
		}
	}
}

func (r *rateLimiter) addWait(name string, d time.Duration) {
	r.mu.Lock()
	r.countersOf(name).waited += d
	r.mu.Unlock()
}

// admit reserves a request of t at now, or says how long to wait (0: until an answer in
// flight arrives). r.mu is held.
func (r *rateLimiter) admit(t *templateState, now time.Time) (*permit, time.Duration) {
	if now.Before(t.blockedUntil) {
		return nil, t.blockedUntil.Sub(now)
	}
	b := t.bucket
	if b == nil {
		// Its bucket is unknown: it may be one a 429 blocked. Wait until no bucket is.
		if until := r.latestBlock(now); !until.IsZero() {
			return nil, until.Sub(now) + resetMargin
		}
		if t.probing == 0 {
			t.probing++
			return &permit{tpl: t}, 0
		}
		return nil, 0
	}
	if now.Before(b.blockedUntil) {
		return nil, b.blockedUntil.Sub(now) + resetMargin
	}
	if b.probing && b.inflight > 0 {
		return nil, 0
	}
	remaining := b.remainingAt(now)
	if remaining-b.inflight-1 >= r.reserve(b.limit) {
		b.inflight++
		return &permit{tpl: t, bucket: b}, 0
	}
	if !b.reset.IsZero() && now.Before(b.reset) {
		return nil, b.reset.Sub(now) + resetMargin
	}
	if b.inflight == 0 {
		// Nothing in flight and no window to wait for: one request learns the numbers.
		b.inflight++
		return &permit{tpl: t, bucket: b}, 0
	}
	return nil, 0
}

// latestBlock returns the latest 429 reset still ahead of now among all buckets, or zero.
func (r *rateLimiter) latestBlock(now time.Time) time.Time {
	var until time.Time
	for b := range r.buckets {
		if b.blockedUntil.After(now) && b.blockedUntil.After(until) {
			until = b.blockedUntil
		}
	}
	return until
}

// release ends a permit and records what the answer said. resp is nil when no answer
// arrived (transport error).
func (r *rateLimiter) release(p *permit, resp *http.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := p.tpl
	if p.bucket != nil {
		p.bucket.inflight = max(0, p.bucket.inflight-1)
	} else {
		t.probing = max(0, t.probing-1)
	}
	class := classError
	if resp != nil {
		now := r.now()
		a := parseRateAnswer(resp, now, r.clock.observe(resp.Header, now))
		class = statusClass(resp.StatusCode)
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			r.learnThrottled(t, a, now)
		default:
			r.learn(t, a, now)
			if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
				t.backoff.Reset()
				r.noteRecovered(nameOf(t), now)
			}
		}
	}
	r.countersOf(nameOf(t)).requests[class]++
	close(r.changed)
	r.changed = make(chan struct{})
}
