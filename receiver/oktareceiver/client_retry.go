package oktareceiver

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// The one retry policy for HTTP-level failures of every Okta request (inventory, System
// Log, refetches), run by backoff.Retry in oktaClient.get:
//
//   - 429: sent again at once, because the rate limiter holds the next attempt until the
//     announced reset (or backs the endpoint off after a 429 without usable headers).
//     429s are retried until the request's rate-limit deadline, so a listing resumes from
//     the same page instead of giving up; the deadline ends it with *rateLimitWaitError.
//   - 5xx and transport failures (no answer, connection reset, a body cut off): at most
//     maxServerAttempts attempts, waiting retryInitialInterval, then twice as long, with
//     ±50 % jitter, capped at retryMaxInterval.
//   - 401 with OAuth: the cached access token is dropped and the request sent once more,
//     except for a refused DPoP proof (a new token would not change the proof). A DPoP
//     nonce challenge never reaches this policy: oktaClient.attempt meets it at once.
//   - Anything else (4xx, a foreign link, a cancelled context): returned at once.
const (
	maxServerAttempts    = 3
	retryInitialInterval = time.Second
	retryMaxInterval     = 30 * time.Second
)

// transportError marks a request that got no complete answer (network error, reset,
// body read failure): retried like a 5xx.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// retryPolicy is the backoff.BackOff of one request. classify tells it which kind of
// failure the last attempt was, so that a 429 does not also wait the exponential delay.
type retryPolicy struct {
	exp            *backoff.ExponentialBackOff
	immediate      bool // the next attempt needs no delay of its own
	serverFailures int
	retried401     bool
}

func newRetryPolicy() *retryPolicy {
	exp := backoff.NewExponentialBackOff()
	exp.InitialInterval, exp.MaxInterval, exp.Multiplier, exp.RandomizationFactor = retryInitialInterval, retryMaxInterval, 2, 0.5
	return &retryPolicy{exp: exp}
}

// NextBackOff implements backoff.BackOff.
func (p *retryPolicy) NextBackOff() time.Duration {
	if p.immediate {
		return 0
	}
	return p.exp.NextBackOff()
}

// Reset implements backoff.BackOff.
func (p *retryPolicy) Reset() {
	p.exp.Reset()
	p.immediate, p.serverFailures, p.retried401 = false, 0, false
}

// classify returns err as backoff.Retry must see it: wrapped in backoff.Permanent when the
// request must not be sent again, as is otherwise. invalidate drops the OAuth token (nil
// with an API token).
func (p *retryPolicy) classify(ctx context.Context, err error, invalidate func()) error {
	p.immediate = false
	var waitErr *rateLimitWaitError
	if ctx.Err() != nil || errors.As(err, &waitErr) {
		return backoff.Permanent(err)
	}
	if ae := asAPIError(err); ae != nil {
		switch {
		case ae.Status == http.StatusTooManyRequests:
			p.immediate = true
			return err
		case ae.Status == http.StatusUnauthorized && invalidate != nil && !p.retried401 && ae.DPoPError != dpop.ErrInvalidProof:
			p.retried401, p.immediate = true, true
			invalidate()
			return err
		case ae.Status >= 500:
			return p.serverFailure(err)
		}
		return backoff.Permanent(err)
	}
	var te *transportError
	if errors.As(err, &te) {
		return p.serverFailure(err)
	}
	return backoff.Permanent(err)
}

func (p *retryPolicy) serverFailure(err error) error {
	p.serverFailures++
	if p.serverFailures >= maxServerAttempts {
		return backoff.Permanent(err)
	}
	return err
}

// isRateLimited reports whether err is Okta's 429 or a request held back by the rate
// limiter past its deadline.
func isRateLimited(err error) bool {
	var waitErr *rateLimitWaitError
	if errors.As(err, &waitErr) {
		return true
	}
	ae := asAPIError(err)
	return ae != nil && ae.Status == http.StatusTooManyRequests
}
