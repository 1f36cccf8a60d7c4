package oktaapi

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// The one retry policy for the HTTP-level failures of every Okta request (inventory, System
// Log, refetches), run by backoff.Retry in Client.Fetch:
//
//   - 429: sent again at once, because the rate limiter holds the next attempt until the
//     announced reset (or backs the endpoint off after a 429 without usable headers).
//     429s are retried until the request's rate-limit deadline, so a listing resumes from
//     the same page instead of giving up; the deadline ends it with *RateLimitWaitError.
//   - 5xx and transport failures (no answer, connection reset, a body cut off): at most
//     maxServerAttempts attempts, waiting as NewBackoff(retryInitialInterval,
//     retryMaxInterval) says.
//   - 401: when the authenticator can obtain a new credential (an OAuth token), the cached
//     one is dropped and the request sent once more, except for a refused DPoP proof (a new
//     token would not change the proof). A DPoP nonce challenge never reaches this policy:
//     Client.attempt meets it at once.
//   - Anything else (4xx, a foreign link, a cancelled context): returned at once.
const (
	maxServerAttempts    = 3
	retryInitialInterval = time.Second
	retryMaxInterval     = 30 * time.Second
)

// NewBackoff returns the one exponential backoff of the receiver (cenkalti/backoff/v5),
// used for the retries of a request, for an endpoint that Okta answered 429 without
// usable headers, and for the System Log poller after a failed page: the n-th wait
// (0-based) is drawn uniformly from [d/2, d], where d = initial·2ⁿ capped at maxWait, so
// that maxWait bounds every wait and replicas that failed together do not retry together.
func NewBackoff(initial, maxWait time.Duration) *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	// The library draws from [i·(1−r), i·(1+r)] around its current interval i; with
	// r = 1/3 and i = 3/4·d that is [d/2, d].
	b.InitialInterval, b.MaxInterval = initial*3/4, maxWait*3/4
	b.Multiplier, b.RandomizationFactor = 2, 1.0/3
	b.Reset()
	return b
}

// retryPolicy is the backoff.BackOff of one request. classify tells it which kind of
// failure the last attempt was, so that a 429 does not also wait the exponential delay.
type retryPolicy struct {
	exp            *backoff.ExponentialBackOff
	immediate      bool // the next attempt needs no delay of its own
	serverFailures int
	retried401     bool
}

func newRetryPolicy() *retryPolicy {
	return &retryPolicy{exp: NewBackoff(retryInitialInterval, retryMaxInterval)}
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
// request must not be sent again, as is otherwise. auth is told about a 401.
func (p *retryPolicy) classify(ctx context.Context, err error, auth Authenticator) error {
	p.immediate = false
	var waitErr *RateLimitWaitError
	if ctx.Err() != nil || errors.As(err, &waitErr) {
		return backoff.Permanent(err)
	}
	switch kind := Classify(err); {
	case kind == KindRateLimited:
		p.immediate = true
		return err
	case kind == KindUnauthorized && !p.retried401 && !refusedDPoPProof(err) && auth.Invalidate():
		p.retried401, p.immediate = true, true
		return err
	case kind == KindServer, kind == KindTransport:
		p.serverFailures++
		if p.serverFailures >= maxServerAttempts {
			return backoff.Permanent(err)
		}
		return err
	}
	return backoff.Permanent(err)
}

// refusedDPoPProof reports whether err is a 401 whose challenge refused the DPoP proof.
func refusedDPoPProof(err error) bool {
	ae := AsAPIError(err)
	return ae != nil && ae.DPoPError == dpop.ErrInvalidProof
}
