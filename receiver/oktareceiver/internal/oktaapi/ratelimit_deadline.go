package oktaapi

import (
	"context"
	"fmt"
	"time"
)

// RateLimitWaitError says that a request was not sent because its bucket only admits it after
// the request's deadline (WithRateLimitDeadline). It wraps the 429 that caused the wait,
// when there was one.
type RateLimitWaitError struct {
	bucket string
	until  time.Time
	last   error
}

func (e *RateLimitWaitError) Error() string {
	msg := fmt.Sprintf("okta rate limit: bucket %s admits the next request only at %s, after this request's deadline",
		e.bucket, e.until.UTC().Format(time.RFC3339))
	if e.last != nil {
		msg += "; last answer: " + e.last.Error()
	}
	return msg
}

func (e *RateLimitWaitError) Unwrap() error { return e.last }

type rateLimitDeadlineKey struct{}

// WithRateLimitDeadline returns a context whose requests wait for Okta's rate limits
// until deadline at the latest (a full sync passes its own end: the next one). The
// context itself is not cancelled at deadline.
func WithRateLimitDeadline(ctx context.Context, deadline time.Time) context.Context {
	return context.WithValue(ctx, rateLimitDeadlineKey{}, deadline)
}

// rateLimitDeadline returns how long a request made at now with ctx may wait for rate
// limits: the deadline set by WithRateLimitDeadline, else ctx's deadline, else
// now + defaultRateLimitPatience.
func rateLimitDeadline(ctx context.Context, now time.Time) time.Time {
	if d, ok := ctx.Value(rateLimitDeadlineKey{}).(time.Time); ok {
		return d
	}
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return now.Add(defaultRateLimitPatience)
}
