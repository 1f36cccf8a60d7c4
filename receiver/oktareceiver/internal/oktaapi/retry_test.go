package oktaapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNewBackoffIsBoundedWithJitter: every wait lies in [d/2, d] with d = initial·2ⁿ capped at
// the maximum, so the maximum bounds every wait (the System Log poller's initial_backoff and
// max_backoff use this policy).
func TestNewBackoffIsBoundedWithJitter(t *testing.T) {
	b := NewBackoff(100*time.Millisecond, 2*time.Second)
	var waits []time.Duration
	for range 40 {
		d := b.NextBackOff()
		assert.LessOrEqual(t, d, 2*time.Second)
		assert.GreaterOrEqual(t, d, 50*time.Millisecond)
		waits = append(waits, d)
	}
	assert.LessOrEqual(t, waits[0], 100*time.Millisecond)
	assert.GreaterOrEqual(t, waits[10], time.Second)
	b.Reset()
	assert.LessOrEqual(t, b.NextBackOff(), 100*time.Millisecond, "Reset starts again from the initial wait")
}

// countingAuth is an authenticator that counts how often it was told to drop its token.
type countingAuth struct{ invalidated int }

func (*countingAuth) Authorize(*http.Request) error { return nil }
func (a *countingAuth) Invalidate() bool            { a.invalidated++; return true }

// unauthorized is Okta's 401 answer with the WWW-Authenticate challenge h.
func unauthorized(h string) error {
	resp := &http.Response{
		StatusCode: http.StatusUnauthorized,
		Header:     http.Header{"Www-Authenticate": {h}},
		Body:       io.NopCloser(strings.NewReader(`{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)),
	}
	return responseError(resp)
}

// TestRetryPolicyKeepsTheTokenForARefusedDPoPProof: a 401 whose DPoP challenge refuses the
// proof ends the request without dropping the token (a new token would not change the proof);
// any other 401 drops it once and sends the request again.
func TestRetryPolicyKeepsTheTokenForARefusedDPoPProof(t *testing.T) {
	ctx := context.Background()
	refused := unauthorized(`DPoP algs="RS256 ES256", error="invalid_dpop_proof", error_description="The DPoP proof 'jti' has already been used."`)
	ae := AsAPIError(refused)
	require.NotNil(t, ae)
	assert.Equal(t, "invalid_dpop_proof", ae.DPoPError)
	assert.Equal(t, "Invalid token provided (invalid_dpop_proof: The DPoP proof 'jti' has already been used.)", ae.Summary,
		"the challenge names the cause the generic body does not")

	auth := &countingAuth{}
	var permanent *backoff.PermanentError
	assert.True(t, errors.As(newRetryPolicy().classify(ctx, refused, auth), &permanent), "a refused proof is not retried")
	assert.Zero(t, auth.invalidated, "a refused proof keeps the token")

	expired := unauthorized(`Bearer error="invalid_token", error_description="The access token is invalid."`)
	policy := newRetryPolicy()
	assert.False(t, errors.As(policy.classify(ctx, expired, auth), &permanent), "an invalid token is fetched anew and the request sent again")
	assert.Equal(t, 1, auth.invalidated)
	assert.True(t, errors.As(policy.classify(ctx, expired, auth), &permanent), "only once per request")
	assert.Equal(t, 1, auth.invalidated)
}
