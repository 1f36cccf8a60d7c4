package dpop

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestNoncesPerServer(t *testing.T) {
	var n Nonces
	assert.Empty(t, n.Get("a"))
	assert.False(t, n.Update("a", header()), "an answer without DPoP-Nonce changes nothing")
	assert.True(t, n.Update("a", header("DPoP-Nonce", "n1")))
	assert.True(t, n.Update("b", header("Dpop-Nonce", "n2")))
	assert.Equal(t, "n1", n.Get("a"))
	assert.Equal(t, "n2", n.Get("b"))
	n.Update("a", header("DPoP-Nonce", "n3"))
	assert.Equal(t, "n3", n.Get("a"), "the latest nonce wins")
	n.Update("a", header())
	assert.Equal(t, "n3", n.Get("a"), "an answer without a nonce keeps the last one")
}

func TestIsNonceChallenge(t *testing.T) {
	const dpopChallenge = `DPoP algs="RS256 RS384 ES256", authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="IdpMyAccountAPI", error="%s", error_description="a, b", resource="/api/v1/users"`
	useNonce := []byte(`{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}`)
	for name, c := range map[string]struct {
		status int
		h      http.Header
		body   []byte
		want   bool
	}{
		"token 400 use_dpop_nonce":          {400, header("DPoP-Nonce", "n"), useNonce, true},
		"token 400 without DPoP-Nonce":      {400, header(), useNonce, false},
		"token 400 invalid_dpop_proof":      {400, header("DPoP-Nonce", "n"), []byte(`{"error":"invalid_dpop_proof"}`), false},
		"token 401 invalid_client":          {401, header("DPoP-Nonce", "n"), []byte(`{"error":"invalid_client"}`), false},
		"resource 401 use_dpop_nonce":       {401, header("DPoP-Nonce", "n", "WWW-Authenticate", fmt.Sprintf(dpopChallenge, "use_dpop_nonce")), nil, true},
		"resource 401 unquoted error":       {401, header("DPoP-Nonce", "n", "WWW-Authenticate", `DPoP error=use_dpop_nonce`), nil, true},
		"resource 401 invalid_dpop_proof":   {401, header("DPoP-Nonce", "n", "WWW-Authenticate", fmt.Sprintf(dpopChallenge, "invalid_dpop_proof")), nil, false},
		"resource 401 Bearer challenge":     {401, header("DPoP-Nonce", "n", "WWW-Authenticate", `Bearer error="use_dpop_nonce"`), nil, false},
		"resource 401 without DPoP-Nonce":   {401, header("WWW-Authenticate", fmt.Sprintf(dpopChallenge, "use_dpop_nonce")), nil, false},
		"resource 403 with nonce challenge": {403, header("DPoP-Nonce", "n", "WWW-Authenticate", fmt.Sprintf(dpopChallenge, "use_dpop_nonce")), nil, false},
		"200 with a nonce":                  {200, header("DPoP-Nonce", "n"), nil, false},
	} {
		assert.Equal(t, c.want, IsNonceChallenge(c.status, c.h, c.body), name)
	}
}

func TestChallengeErrorSkipsQuotedCommas(t *testing.T) {
	h := header("WWW-Authenticate", `DPoP algs="RS256, ES256", error_description="error=\"x\", no", error="invalid_dpop_proof"`)
	assert.Equal(t, "invalid_dpop_proof", ChallengeError(h))
	assert.Empty(t, ChallengeError(header("WWW-Authenticate", `Bearer error="invalid_token"`)))
}

func TestAsksForDPoP(t *testing.T) {
	assert.True(t, AsksForDPoP(400, []byte(`{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}`)))
	assert.True(t, AsksForDPoP(400, []byte(`{"error":"use_dpop_nonce"}`)))
	assert.False(t, AsksForDPoP(400, []byte(`{"error":"invalid_scope"}`)))
	assert.False(t, AsksForDPoP(401, []byte(`{"error":"invalid_dpop_proof"}`)))
	assert.False(t, AsksForDPoP(400, []byte(`not json`)))
}
