package oktaapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// rateAnswer is what one answer's X-Rate-Limit-* headers say.
type rateAnswer struct {
	limit, remaining int64
	resetEpoch       int64     // X-Rate-Limit-Reset as sent: UTC epoch seconds of the server's clock
	reset            time.Time // the same instant on the local clock
	hasReset         bool
	// usable: a limit above zero, a remaining and a reset. A concurrency-limit 429 (limit
	// and remaining 0, reset an estimate) and an answer without headers are not usable.
	usable bool
}

// parseRateAnswer reads the rate-limit headers of resp, received at now. The reset is on
// the server's clock; offset (server clock − local clock, see serverClock) moves it to
// the local one. Waits longer than maxResetWait are cut to it.
func parseRateAnswer(resp *http.Response, now time.Time, offset time.Duration) rateAnswer {
	h := resp.Header
	var a rateAnswer
	limit, errL := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")), 10, 64)
	remaining, errR := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")), 10, 64)
	resetEpoch, errT := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64)
	if errT == nil && resetEpoch > 0 {
		a.hasReset, a.resetEpoch = true, resetEpoch
		reset := time.Unix(resetEpoch, 0).Add(-offset)
		switch {
		case reset.Before(now):
			reset = now
		case reset.Sub(now) > maxResetWait:
			reset = now.Add(maxResetWait)
		}
		a.reset = reset
	}
	if errL == nil && errR == nil && limit > 0 && remaining >= 0 {
		a.limit, a.remaining = limit, min(remaining, limit)
		a.usable = a.hasReset
	}
	return a
}

// serverClock estimates how far the server's clock (its Date header) is ahead of the
// local one. Date is whole seconds rounded down and arrives after the server wrote it,
// so every Date − arrival is at most the true offset; the largest of the recent ones
// approaches it from below. A reset moved by this estimate is therefore never early
// while the offset holds, and is late by less than a second less than with one answer's
// Date alone. Without Date headers the local clock is trusted.
type serverClock struct {
	samples [serverClockSamples]time.Duration
	n       int
}

// serverClockSamples is how many recent answers the estimate looks at: a server clock
// that jumps is followed after that many answers.
const serverClockSamples = 64

// observe records the Date of an answer received at now and returns the current estimate.
func (c *serverClock) observe(h http.Header, now time.Time) time.Duration {
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		c.samples[c.n%serverClockSamples] = date.Sub(now)
		c.n++
	}
	if c.n == 0 {
		return 0
	}
	best := c.samples[0]
	for _, s := range c.samples[1:min(c.n, serverClockSamples)] {
		best = max(best, s)
	}
	return best
}

// learn records a usable answer of template t (not a 429) at now:
//   - the first answer after a 429, or same limit, a later window, and the bucket's window
//     is over: these are the bucket's current numbers;
//   - same limit and same window as t's bucket: keep the lowest remaining (answers of
//     concurrent requests arrive in any order);
//   - an earlier window than the bucket's (an answer that was overtaken): ignored;
//   - otherwise the template does not share its bucket's limit: alone in its bucket, the
//     bucket takes the new numbers (and merges with a bucket of the same window);
//     sharing it, the template moves to the bucket whose window matches, or gets a
//     bucket of its own.
func (r *rateLimiter) learn(t *templateState, a rateAnswer, now time.Time) {
	if !a.usable {
		return
	}
	b := t.bucket
	if b != nil && b.limit == a.limit {
		switch {
		case b.probing || (a.resetEpoch > b.resetEpoch && !now.Before(b.reset)):
			b.setWindow(a)
			r.mergeSameWindow(b)
			return
		case sameWindow(b, a):
			b.remaining = min(b.remaining, a.remaining)
			if a.resetEpoch > b.resetEpoch {
				b.resetEpoch, b.reset = a.resetEpoch, a.reset
			}
			return
		case a.resetEpoch < b.resetEpoch:
			return
		}
	}
	if b != nil && b.members == 1 {
		// Its own limit changed or its window moved, maybe onto another bucket's.
		b.setWindow(a)
		r.mergeSameWindow(b)
		return
	}
	r.place(t, a)
	if t.bucket.known && sameWindow(t.bucket, a) {
		t.bucket.remaining = min(t.bucket.remaining, a.remaining)
	} else {
		t.bucket.setWindow(a)
	}
}

// place moves t into the bucket whose limit and window match a, or into a new bucket
// named after t.
func (r *rateLimiter) place(t *templateState, a rateAnswer) {
	target := r.match(a, t.bucket)
	if target == nil {
		r.created++
		target = &learnedBucket{name: t.key, seq: r.created}
		target.setWindow(a)
		r.buckets[target] = struct{}{}
	}
	if old := t.bucket; old != nil {
		old.members--
		if old.members <= 0 {
			delete(r.buckets, old)
		}
	}
	target.members++
	t.bucket = target
}

// mergeSameWindow makes b and any other bucket with b's limit and window one bucket (the
// older one stays): their templates answered from the same window of the same limit, so
// they count against one Okta bucket.
func (r *rateLimiter) mergeSameWindow(b *learnedBucket) {
	a := rateAnswer{limit: b.limit, resetEpoch: b.resetEpoch}
	for {
		c := r.match(a, b)
		if c == nil {
			return
		}
		keep, gone := b, c
		if c.seq < b.seq {
			keep, gone = c, b
		}
		// Permits taken on gone are released on gone: keep undercounts them briefly.
		keep.remaining = min(keep.remaining, gone.remaining)
		keep.probing = keep.probing || gone.probing
		if gone.blockedUntil.After(keep.blockedUntil) {
			keep.blockedUntil = gone.blockedUntil
		}
		for _, t := range r.templates {
			if t.bucket == gone {
				t.bucket = keep
				keep.members++
			}
		}
		delete(r.buckets, gone)
		b = keep
	}
}

// match returns a live bucket other than except with a's limit and window, or nil.
func (r *rateLimiter) match(a rateAnswer, except *learnedBucket) *learnedBucket {
	for b := range r.buckets {
		if b != except && b.known && b.limit == a.limit && sameWindow(b, a) {
			return b
		}
	}
	return nil
}

// sameWindow reports whether a describes b's current window.
func sameWindow(b *learnedBucket, a rateAnswer) bool {
	d := b.resetEpoch - a.resetEpoch
	return b.known && d >= -sameWindowTolerance && d <= sameWindowTolerance
}

// setWindow takes the numbers of a as the bucket's current window.
func (b *learnedBucket) setWindow(a rateAnswer) {
	b.known, b.probing = true, false
	b.limit, b.remaining, b.resetEpoch, b.reset = a.limit, a.remaining, a.resetEpoch, a.reset
}
