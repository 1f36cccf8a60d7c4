package oktaapi

import (
	"time"

	"go.uber.org/zap"
)

// learnThrottled records a 429. With usable headers the template's bucket is blocked
// until the announced reset; when that reset is not ahead (nothing to wait for), for the
// template's backoff instead. Without usable headers (a concurrency-limit 429) only the
// template backs off, for at least Okta's estimated reset when it sent one.
func (r *rateLimiter) learnThrottled(t *templateState, a rateAnswer, now time.Time) {
	kind := "rate limit"
	var until time.Time
	if a.usable {
		if t.bucket == nil {
			r.place(t, a)
		}
		// Authoritative: the bucket is empty until the announced reset, earlier or later
		// than the window earlier answers described.
		until = a.reset
		if !until.After(now) {
			until = now.Add(t.backoff.NextBackOff())
		}
		b := t.bucket
		b.remaining, b.reset, b.probing = 0, until, true
		if until.After(b.blockedUntil) {
			b.blockedUntil = until
		}
		until = b.blockedUntil
	} else {
		kind = "concurrency"
		until = now.Add(t.backoff.NextBackOff())
		if a.hasReset && a.reset.After(until) && a.reset.Sub(now) <= concurrencyBackoffMax {
			until = a.reset // honour Okta's estimate when it is longer
		}
		if until.After(t.blockedUntil) {
			t.blockedUntil = until
		}
	}
	c := r.countersOf(nameOf(t))
	c.throttled++
	if !c.inThrottle {
		c.inThrottle, c.since = true, now
		r.logger.Warn("Okta answered 429: holding requests back until the announced reset (a backoff when none was announced)",
			zap.String("bucket", nameOf(t)), zap.String("endpoint", t.key), zap.String("kind", kind),
			zap.Int64("limit", a.limit), zap.Duration("wait", until.Sub(now).Round(time.Millisecond)))
	}
}

// noteRecovered writes the recovered log line when name was throttled.
func (r *rateLimiter) noteRecovered(name string, now time.Time) {
	c := r.countersOf(name)
	if !c.inThrottle {
		return
	}
	c.inThrottle = false
	r.logger.Info("Okta rate-limit bucket recovered",
		zap.String("bucket", name), zap.Duration("throttled_for", now.Sub(c.since).Round(time.Millisecond)))
}
