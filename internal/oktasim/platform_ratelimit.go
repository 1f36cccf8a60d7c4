package oktasim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
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
	// Buckets overrides the per-window limits of org-wide buckets by name (see Bucket*).
	Buckets map[string]int
	// Endpoints are endpoint-specific buckets: path template ("/api/v1/apps/{id}/users")
	// → per-window limit. Real Okta has dozens of them; a request whose path has one of
	// these templates counts against that bucket (named by the template) instead of an
	// org-wide one.
	Endpoints map[string]int
	// OtherClients simulates the org's other integrations: org-wide bucket name (or
	// endpoint template) → the share of the bucket's org limit they spend in one burst
	// per window. They are already busy when a client starts: in the bucket's first
	// window the burst lands right after the first request, so any client that sends
	// twice in that window meets it; later bursts land at a random moment of the window.
	// With 1 the bucket is empty after the burst, so a client gets 429 although its own
	// count says there is room.
	OtherClients map[string]float64
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
	for tpl, limit := range o.Endpoints {
		if err := validEndpointTemplate(tpl); err != nil {
			errs = append(errs, err)
		} else if limit < 1 {
			errs = append(errs, fmt.Errorf("endpoint bucket %q: limit %d must be at least 1", tpl, limit))
		}
	}
	for name, share := range o.OtherClients {
		_, org := known[name]
		_, endpoint := o.Endpoints[name]
		switch {
		case !org && !endpoint:
			errs = append(errs, fmt.Errorf("other clients on bucket %q: unknown bucket (an org-wide bucket name or a configured endpoint template)", name))
		case share <= 0 || share > 1 || math.IsNaN(share):
			errs = append(errs, fmt.Errorf("other clients on bucket %q: share %v: want a number in (0, 1]", name, share))
		}
	}
	return errors.Join(errs...)
}

// limits returns the effective per-window limit of every bucket, endpoint-specific
// ones included (keyed by template).
func (o *RateLimitOptions) limits() map[string]int {
	l := DefaultBucketLimits()
	maps.Copy(l, o.Buckets)
	maps.Copy(l, o.Endpoints)
	return l
}

// rateWindow counts requests in one window of one bucket for one client
// (or for the whole org, client "").
type rateWindow struct {
	start time.Time
	count int
	// burstAt is when the org's other clients spend their share of this org window
	// (zero: they do not); burst is set once they did.
	burstAt time.Time
	burst   bool
}

// rateLimiter holds the windows and the in-flight counter.
type rateLimiter struct {
	mu       sync.Mutex
	opts     RateLimitOptions
	limit    map[string]int
	windows  map[windowKey]*rateWindow
	inFlight int
	rng      *rand.Rand
}

type windowKey struct{ bucket, client string }

func newRateLimiter(opts RateLimitOptions) *rateLimiter {
	return &rateLimiter{opts: opts, limit: opts.limits(), windows: map[windowKey]*rateWindow{},
		rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

// bucketOf returns the bucket of a management request under the current settings.
func (l *rateLimiter) bucketOf(method, path string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bucketOf(l.opts.Endpoints, method, path)
}

// rateDecision is what the limiter tells the middleware.
type rateDecision struct {
	limit, remaining int
	reset            time.Time
	allowed          bool
	// used is the client's count in its window after this request (allowed only).
	used int
	// others is the number of requests the org's other clients spent at this moment.
	others int
	// byOthers: refused because the org bucket is empty while the client's own share
	// still had room.
	byOthers bool
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
	others := 0
	if !org.burst && !org.burstAt.IsZero() && !now.Before(org.burstAt) {
		org.burst = true
		others = min(orgLimit-org.count, int(math.Ceil(l.opts.OtherClients[bucket]*float64(orgLimit))))
		org.count += others
	}
	orgEnd, cliEnd := org.start.Add(l.opts.Window), cli.start.Add(l.opts.Window)
	if org.count >= orgLimit || cli.count >= clientLimit {
		reset := cliEnd
		if org.count >= orgLimit && (cli.count < clientLimit || orgEnd.After(cliEnd)) {
			reset = orgEnd
		}
		return rateDecision{limit: clientLimit, remaining: 0, reset: reset, others: others,
			byOthers: cli.count < clientLimit}
	}
	org.count++
	cli.count++
	remaining := min(clientLimit-cli.count, orgLimit-org.count)
	return rateDecision{limit: clientLimit, remaining: remaining, reset: cliEnd, allowed: true, used: cli.count, others: others}
}

// window returns the current window of key, starting a new one when the
// previous has ended.
func (l *rateLimiter) window(key windowKey, now time.Time) *rateWindow {
	w := l.windows[key]
	first := w == nil
	if first {
		w = &rateWindow{}
		l.windows[key] = w
	} else if now.Before(w.start.Add(l.opts.Window)) {
		return w
	}
	*w = rateWindow{start: now}
	if share := l.opts.OtherClients[key.bucket]; share > 0 && key.client == "" {
		if first {
			// Already busy: the burst lands on the next request after this one.
			w.burstAt = now.Add(time.Nanosecond)
		} else {
			// Other clients strike somewhere in the middle 80 % of the window.
			w.burstAt = now.Add(time.Duration((0.1 + 0.8*l.rng.Float64()) * float64(l.opts.Window)))
		}
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

// options returns a copy of the current settings; Buckets holds the effective limit of
// every org-wide bucket.
func (l *rateLimiter) options() RateLimitOptions {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.opts
	o.Buckets = DefaultBucketLimits()
	maps.Copy(o.Buckets, l.opts.Buckets)
	o.Endpoints = maps.Clone(l.opts.Endpoints)
	o.OtherClients = maps.Clone(l.opts.OtherClients)
	return o
}

// clientLimit is the limit the headers of bucket show (limit × share), or generousLimit
// when limits are off.
func (l *rateLimiter) clientLimit(bucket string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.opts.Enabled {
		return generousLimit
	}
	return max(1, int(float64(l.limit[bucket])*l.opts.Share))
}

// earlyOrLateReset returns the reset a 429 announces under mode (ResetEarly,
// ResetLate, ResetMixed; "" keeps the window's): half a window before the window's end
// (already past when the window is nearly over: a client must not hammer then either)
// or half a window after it.
func (l *rateLimiter) earlyOrLateReset(mode string, reset time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if mode == ResetMixed {
		mode = ResetEarly
		if l.rng.IntN(2) == 1 {
			mode = ResetLate
		}
	}
	switch mode {
	case ResetEarly:
		return reset.Add(-l.opts.Window / 2)
	case ResetLate:
		return reset.Add(l.opts.Window / 2)
	}
	return reset
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
// early). reset is on the clock the Date header shows (platform.headerClock).
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
