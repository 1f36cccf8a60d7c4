package oktasim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimitOptions configures Okta's rate limiting.
type RateLimitOptions struct {
	// Enabled turns limiting on. Off, every request still gets
	// X-Rate-Limit-* headers, with generous numbers (for benchmarks).
	Enabled bool
	// Window is the length of a bucket's window (Okta: 60 s). Each window
	// starts with the first request after the previous one ended, so it is
	// not aligned to the wall-clock minute.
	Window time.Duration
	// Share is the part of each bucket one client (an SSWS token or an OAuth
	// app) may use (Okta default 0.5). The headers report the client's limit.
	Share float64
	// Concurrency is the org-wide cap on in-flight management requests
	// (Okta Workforce default 75); 0 means no cap.
	Concurrency int
	// Buckets overrides per-minute limits by bucket name (see Bucket*).
	Buckets map[string]int
}

// DefaultRateLimitOptions returns Okta's Workforce defaults.
func DefaultRateLimitOptions() RateLimitOptions {
	return RateLimitOptions{Enabled: true, Window: time.Minute, Share: 0.5, Concurrency: 75}
}

func (o *RateLimitOptions) validate() error {
	var errs []error
	if o.Window <= 0 {
		errs = append(errs, fmt.Errorf("rate limit window %s: must be positive", o.Window))
	}
	if o.Share <= 0 || o.Share > 1 || math.IsNaN(o.Share) {
		errs = append(errs, fmt.Errorf("rate limit share %v: want a number in (0, 1]", o.Share))
	}
	if o.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency limit %d: must not be negative", o.Concurrency))
	}
	known := DefaultBucketLimits()
	for name, limit := range o.Buckets {
		if _, ok := known[name]; !ok {
			errs = append(errs, fmt.Errorf("rate limit bucket %q: unknown bucket", name))
		} else if limit < 1 {
			errs = append(errs, fmt.Errorf("rate limit bucket %q: limit %d must be at least 1", name, limit))
		}
	}
	return errors.Join(errs...)
}

// limits returns the effective per-window limit of every bucket.
func (o *RateLimitOptions) limits() map[string]int {
	l := DefaultBucketLimits()
	maps.Copy(l, o.Buckets)
	return l
}

// rateWindow counts requests in one window of one bucket for one client
// (or for the whole org, client "").
type rateWindow struct {
	start time.Time
	count int
}

// rateLimiter holds the windows and the in-flight counter.
type rateLimiter struct {
	mu       sync.Mutex
	opts     RateLimitOptions
	limit    map[string]int
	windows  map[windowKey]*rateWindow
	inFlight int
}

type windowKey struct{ bucket, client string }

func newRateLimiter(opts RateLimitOptions) *rateLimiter {
	return &rateLimiter{opts: opts, limit: opts.limits(), windows: map[windowKey]*rateWindow{}}
}

// rateDecision is what the limiter tells the middleware.
type rateDecision struct {
	limit, remaining int
	reset            time.Time
	allowed          bool
}

// generousLimit is what the headers show when limits are off.
const generousLimit = 1_000_000

// take counts one request of client against bucket at now and returns the
// headers to send. A refused request is not counted.
func (l *rateLimiter) take(bucket, client string, now time.Time) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opts.Enabled {
		return rateDecision{limit: generousLimit, remaining: generousLimit - 1, reset: now.Add(l.opts.Window), allowed: true}
	}
	orgLimit := l.limit[bucket]
	clientLimit := max(1, int(float64(orgLimit)*l.opts.Share))
	org := l.window(windowKey{bucket, ""}, now)
	cli := l.window(windowKey{bucket, client}, now)
	orgEnd, cliEnd := org.start.Add(l.opts.Window), cli.start.Add(l.opts.Window)
	if org.count >= orgLimit || cli.count >= clientLimit {
		reset := cliEnd
		if org.count >= orgLimit && (cli.count < clientLimit || orgEnd.After(cliEnd)) {
			reset = orgEnd
		}
		return rateDecision{limit: clientLimit, remaining: 0, reset: reset}
	}
	org.count++
	cli.count++
	remaining := min(clientLimit-cli.count, orgLimit-org.count)
	return rateDecision{limit: clientLimit, remaining: remaining, reset: cliEnd, allowed: true}
}

// window returns the current window of key, starting a new one when the
// previous has ended.
func (l *rateLimiter) window(key windowKey, now time.Time) *rateWindow {
	w := l.windows[key]
	if w == nil {
		w = &rateWindow{start: now}
		l.windows[key] = w
	} else if !now.Before(w.start.Add(l.opts.Window)) {
		w.start, w.count = now, 0
	}
	return w
}

// enter admits one in-flight request unless the concurrency cap is reached.
// Every admitted request must call leave.
func (l *rateLimiter) enter() (inFlight int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.opts.Enabled && l.opts.Concurrency > 0 && l.inFlight >= l.opts.Concurrency {
		return l.inFlight, false
	}
	l.inFlight++
	return l.inFlight, true
}

func (l *rateLimiter) leave() {
	l.mu.Lock()
	l.inFlight--
	l.mu.Unlock()
}

// options returns a copy of the current settings.
func (l *rateLimiter) options() RateLimitOptions {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.opts
	o.Buckets = maps.Clone(l.limit)
	return o
}

// update replaces the settings; resetWindows also forgets every window.
func (l *rateLimiter) update(opts RateLimitOptions, resetWindows bool) error {
	if err := opts.validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if resetWindows || opts.Window != l.opts.Window {
		l.windows = map[windowKey]*rateWindow{}
	}
	l.opts, l.limit = opts, opts.limits()
	return nil
}

// setRateHeaders writes X-Rate-Limit-Limit/Remaining/Reset (reset in UTC
// epoch seconds, rounded up so that a client sleeping until it never retries
// early).
func setRateHeaders(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(epochCeil(reset), 10))
}

// epochCeil returns t in Unix seconds, rounded up.
func epochCeil(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
