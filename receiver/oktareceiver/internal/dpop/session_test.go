package dpop

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	proofMissing = []byte(`{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}`)
	nonceWanted  = []byte(`{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}`)
	dpopToken    = []byte(`{"token_type":"DPoP","access_token":"t","expires_in":3600}`)
)

func newTestSession(t *testing.T, mode Mode) *Session {
	t.Helper()
	if mode == Never {
		s, err := NewSession(mode, nil)
		require.NoError(t, err)
		return s
	}
	key, err := GenerateKey()
	require.NoError(t, err)
	signer, err := NewSigner(key)
	require.NoError(t, err)
	s, err := NewSession(mode, signer)
	require.NoError(t, err)
	return s
}

// TestSessionAutoTokenFlow: auto sends no proof until the token endpoint asks, then a
// proof, then a proof with the nonce; a third refusal is final (no loop).
func TestSessionAutoTokenFlow(t *testing.T) {
	s := newTestSession(t, Auto)
	tokenURL := mustURL(t, "https://acme.okta.com/oauth2/v1/token")
	var a TokenAttempt

	proof, err := s.TokenProof(tokenURL, &a)
	require.NoError(t, err)
	assert.Empty(t, proof, "auto starts without proofs")
	assert.True(t, s.TokenAnswer(tokenURL, 400, header(), proofMissing, &a), "invalid_dpop_proof switches auto to DPoP")
	assert.True(t, s.Active())

	proof, err = s.TokenProof(tokenURL, &a)
	require.NoError(t, err)
	require.NotEmpty(t, proof)
	assert.NotContains(t, decodeProof(t, proof).claims, "nonce")
	assert.True(t, s.TokenAnswer(tokenURL, 400, header("DPoP-Nonce", "as-1"), nonceWanted, &a), "use_dpop_nonce is met once")

	proof, err = s.TokenProof(tokenURL, &a)
	require.NoError(t, err)
	assert.Equal(t, "as-1", decodeProof(t, proof).claims["nonce"])
	assert.False(t, s.TokenAnswer(tokenURL, 400, header("DPoP-Nonce", "as-2"), nonceWanted, &a), "a second nonce challenge in one fetch is final")

	// The next fetch starts with the latest nonce, and the session stays in DPoP.
	var next TokenAttempt
	proof, err = s.TokenProof(tokenURL, &next)
	require.NoError(t, err)
	assert.Equal(t, "as-2", decodeProof(t, proof).claims["nonce"])
	scheme, err := s.CheckTokenType("DPoP", &next)
	require.NoError(t, err)
	assert.Equal(t, "DPoP", scheme)
}

func TestSessionAutoStaysBearer(t *testing.T) {
	s := newTestSession(t, Auto)
	tokenURL := mustURL(t, "https://acme.okta.com/oauth2/v1/token")
	var a TokenAttempt
	_, _ = s.TokenProof(tokenURL, &a)
	assert.False(t, s.TokenAnswer(tokenURL, 200, header(), []byte(`{"token_type":"Bearer","access_token":"t"}`), &a))
	assert.False(t, s.TokenAnswer(tokenURL, 401, header(), []byte(`{"error":"invalid_client"}`), &a))
	assert.False(t, s.Active(), "a Bearer org keeps auto off DPoP")
	scheme, err := s.CheckTokenType("Bearer", &a)
	require.NoError(t, err)
	assert.Equal(t, "Bearer", scheme)
	_, err = s.CheckTokenType("DPoP", &a)
	assert.ErrorContains(t, err, "without a DPoP proof")
	_, err = s.CheckTokenType("MAC", &a)
	assert.ErrorContains(t, err, `"MAC" is not supported`)
}

func TestSessionAutoSwitchesOnDPoPTokenType(t *testing.T) {
	s := newTestSession(t, Auto)
	tokenURL := mustURL(t, "https://acme.okta.com/oauth2/v1/token")
	var a TokenAttempt
	_, _ = s.TokenProof(tokenURL, &a)
	assert.True(t, s.TokenAnswer(tokenURL, 200, header(), dpopToken, &a), "a DPoP token for a proof-less request is fetched again with a proof")
	assert.True(t, s.Active())
}

func TestSessionNeverAndAlways(t *testing.T) {
	tokenURL := mustURL(t, "https://acme.okta.com/oauth2/v1/token")
	never := newTestSession(t, Never)
	var a TokenAttempt
	proof, err := never.TokenProof(tokenURL, &a)
	require.NoError(t, err)
	assert.Empty(t, proof)
	assert.False(t, never.TokenAnswer(tokenURL, 400, header("DPoP-Nonce", "n"), proofMissing, &a), "never does not switch")
	assert.False(t, never.Active())
	_, err = never.ResourceProof("GET", mustURL(t, "https://acme.okta.com/api/v1/users"), "t")
	assert.Error(t, err)

	always := newTestSession(t, Always)
	var b TokenAttempt
	proof, err = always.TokenProof(tokenURL, &b)
	require.NoError(t, err)
	assert.NotEmpty(t, proof, "always sends a proof on the first request")
	assert.Equal(t, Always, always.Mode())

	_, err = NewSession(Auto, nil)
	assert.Error(t, err, "auto needs a signer")
}

// TestSessionResourceNonces: the resource server's nonce comes from any answer (a 200
// too), is kept apart from the authorization server's, and goes into the next proof.
func TestSessionResourceNonces(t *testing.T) {
	s := newTestSession(t, Always)
	tokenURL := mustURL(t, "https://acme.okta.com/oauth2/v1/token")
	users := mustURL(t, "https://acme.okta.com/api/v1/users?limit=200")
	var a TokenAttempt
	s.TokenAnswer(tokenURL, 400, header("DPoP-Nonce", "as-nonce"), nonceWanted, &a)

	proof, err := s.ResourceProof("GET", users, "tok")
	require.NoError(t, err)
	p := decodeProof(t, proof)
	assert.NotContains(t, p.claims, "nonce", "the authorization server's nonce is not the resource server's")
	assert.Equal(t, AccessTokenHash("tok"), p.claims["ath"])
	assert.Equal(t, "https://acme.okta.com/api/v1/users", p.claims["htu"])

	challenge := header("DPoP-Nonce", "rs-1", "WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof."`)
	assert.True(t, s.ResourceAnswer(users, http.StatusUnauthorized, challenge))
	proof, _ = s.ResourceProof("GET", users, "tok")
	assert.Equal(t, "rs-1", decodeProof(t, proof).claims["nonce"])

	assert.False(t, s.ResourceAnswer(users, http.StatusOK, header("DPoP-Nonce", "rs-2")), "a 200 is no challenge")
	proof, _ = s.ResourceProof("GET", mustURL(t, "https://acme.okta.com/api/v1/groups"), "tok")
	assert.Equal(t, "rs-2", decodeProof(t, proof).claims["nonce"], "a nonce of a 200 answer is used next")
}
