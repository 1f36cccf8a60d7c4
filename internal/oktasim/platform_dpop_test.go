package oktasim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// proofSpec describes one DPoP proof of a test; the zero iat means "now on the
// simulator clock".
type proofSpec struct {
	method, url, token, nonce, jti string
	iat                            time.Time
}

// signProof signs a DPoP proof with key as spec says: ath when token is set,
// nonce when set, a random jti unless one is given.
func signProof(t *testing.T, key *ecdsa.PrivateKey, spec proofSpec) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if spec.jti == "" {
		spec.jti = randomToken(16)
	}
	claims := map[string]any{"htm": spec.method, "htu": spec.url, "iat": spec.iat.Unix(), "jti": spec.jti}
	if spec.token != "" {
		sum := sha256.Sum256([]byte(spec.token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if spec.nonce != "" {
		claims["nonce"] = spec.nonce
	}
	payload, _ := json.Marshal(claims)
	sig, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sig.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dpopHarness is a simulator requiring DPoP (with resource-server nonces), on a
// clock the test moves, and the client's key.
type dpopHarness struct {
	*platformHarness
	t     *testing.T
	clock *manualClock
	key   *ecdsa.PrivateKey
}

func newDPoPHarness(t *testing.T, resourceNonce bool) *dpopHarness {
	opts := testPlatformOptions(t)
	opts.OAuth.DPoP = true
	opts.OAuth.DPoPResourceNonce = resourceNonce
	clock := newManualClock()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return &dpopHarness{platformHarness: newPlatformHarnessWithClock(t, opts, clock.Now), t: t, clock: clock, key: key}
}

// proof signs spec with the harness key, iat defaulting to the simulator clock.
func (h *dpopHarness) proof(spec proofSpec) string {
	if spec.iat.IsZero() {
		spec.iat = h.clock.Now()
	}
	return signProof(h.t, h.key, spec)
}

// tokenReq posts a token request with a fresh client assertion and proof ("" for none).
func (h *dpopHarness) tokenReq(proof string) *http.Response {
	h.t.Helper()
	client, _ := testKeys(h.t)
	now := h.clock.Now()
	claims := assertionClaims{Iss: DefaultOAuthClientID, Sub: DefaultOAuthClientID, Aud: h.url + tokenPath,
		Iat: now.Unix(), Exp: now.Add(time.Hour).Unix()}
	form := tokenForm(signAssertion(h.t, client, claims), "okta.users.read")
	req, _ := http.NewRequest(http.MethodPost, h.url+tokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// token runs the token flow (nonce challenge, then a proof with the nonce) and
// returns the DPoP-bound access token.
func (h *dpopHarness) token() string {
	h.t.Helper()
	resp := h.tokenReq(h.proof(proofSpec{method: "POST", url: h.url + tokenPath}))
	nonce := resp.Header.Get("DPoP-Nonce")
	expectOAuthError(h.t, resp, 400, "use_dpop_nonce", "nonce")
	resp = h.tokenReq(h.proof(proofSpec{method: "POST", url: h.url + tokenPath, nonce: nonce}))
	var tr tokenResponse
	decode(h.t, resp, &tr)
	if resp.StatusCode != 200 || tr.TokenType != "DPoP" {
		h.t.Fatalf("token with nonce: status %d, token_type %q", resp.StatusCode, tr.TokenType)
	}
	return tr.AccessToken
}

// call sends GET url with Authorization auth and proof ("" for none).
func (h *dpopHarness) call(url, auth, proof string) *http.Response {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", auth)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// expectDPoPChallenge checks a 401 E0000011 with a DPoP challenge naming errCode
// and containing want.
func expectDPoPChallenge(t *testing.T, name string, resp *http.Response, errCode, want string) {
	t.Helper()
	expectOktaError(t, resp, 401, "E0000011", "Invalid token provided")
	wa := resp.Header.Get("WWW-Authenticate")
	if !strings.HasPrefix(wa, "DPoP ") || !strings.Contains(wa, `error="`+errCode+`"`) || !strings.Contains(wa, want) {
		t.Errorf("%s: WWW-Authenticate = %q, want a DPoP challenge with error=%q containing %q", name, wa, errCode, want)
	}
}

// TestPlatformDPoPTokenEndpoint: every way a token request's proof fails gets
// Okta's 400 answer, and a nonce expires.
func TestPlatformDPoPTokenEndpoint(t *testing.T) {
	h := newDPoPHarness(t, true)
	tokenURL := h.url + tokenPath

	expectOAuthError(t, h.tokenReq(""), 400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")

	// Missing nonce: 400 use_dpop_nonce with a DPoP-Nonce header.
	resp := h.tokenReq(h.proof(proofSpec{method: "POST", url: tokenURL}))
	nonce := resp.Header.Get("DPoP-Nonce")
	expectOAuthError(t, resp, 400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof.")
	if nonce == "" {
		t.Fatal("use_dpop_nonce without a DPoP-Nonce header")
	}
	// An unknown nonce is treated as a missing one.
	resp = h.tokenReq(h.proof(proofSpec{method: "POST", url: tokenURL, nonce: "not-issued"}))
	if resp.Header.Get("DPoP-Nonce") == "" {
		t.Error("unknown nonce: no fresh DPoP-Nonce")
	}
	expectOAuthError(t, resp, 400, "use_dpop_nonce", "nonce")

	for name, c := range map[string]struct {
		spec proofSpec
		want string
	}{
		"wrong htm":         {proofSpec{method: "GET", url: tokenURL, nonce: nonce}, "'htm'"},
		"wrong htu":         {proofSpec{method: "POST", url: h.url + "/oauth2/default/v1/token", nonce: nonce}, "'htu'"},
		"htu with query":    {proofSpec{method: "POST", url: tokenURL + "?grant_type=client_credentials", nonce: nonce}, "'htu'"},
		"htu with fragment": {proofSpec{method: "POST", url: tokenURL + "#x", nonce: nonce}, "'htu'"},
		"iat too old":       {proofSpec{method: "POST", url: tokenURL, nonce: nonce, iat: h.clock.Now().Add(-dpopProofMaxAge - time.Minute)}, "'iat'"},
		"iat in future":     {proofSpec{method: "POST", url: tokenURL, nonce: nonce, iat: h.clock.Now().Add(dpopProofClockSkew + time.Minute)}, "'iat'"},
	} {
		t.Run(name, func(t *testing.T) {
			expectOAuthError(t, h.tokenReq(h.proof(c.spec)), 400, "invalid_dpop_proof", c.want)
		})
	}

	// A good proof with the nonce gets a DPoP token; its jti cannot be used again.
	good := h.proof(proofSpec{method: "POST", url: tokenURL, nonce: nonce, jti: "token-jti-1"})
	resp = h.tokenReq(good)
	var tr tokenResponse
	decode(t, resp, &tr)
	if resp.StatusCode != 200 || tr.TokenType != "DPoP" {
		t.Fatalf("token with nonce: status %d %+v", resp.StatusCode, tr)
	}
	expectOAuthError(t, h.tokenReq(good), 400, "invalid_dpop_proof", "'jti' has already been used")

	// A stale nonce: once its lifetime is over, the answer is use_dpop_nonce again.
	h.clock.Advance(DefaultPlatformOptions().OAuth.DPoPNonceLifetime + time.Second)
	resp = h.tokenReq(h.proof(proofSpec{method: "POST", url: tokenURL, nonce: nonce}))
	fresh := resp.Header.Get("DPoP-Nonce")
	expectOAuthError(t, resp, 400, "use_dpop_nonce", "nonce")
	if fresh == "" || fresh == nonce {
		t.Errorf("stale nonce: DPoP-Nonce = %q, want a new nonce", fresh)
	}
	if s := h.stats(); s.DPoPNonceChallenges != 3 {
		t.Errorf("DPoPNonceChallenges = %d, want 3 (missing, unknown, stale)", s.DPoPNonceChallenges)
	}
}

// TestPlatformDPoPResourceServer: API calls with a DPoP-bound token need a proof
// with the resource server's nonce; every bad proof gets a 401 DPoP challenge.
func TestPlatformDPoPResourceServer(t *testing.T) {
	h := newDPoPHarness(t, true)
	token := h.token()
	auth := "DPoP " + token
	usersURL := h.url + "/api/v1/users"

	// No nonce: 401 use_dpop_nonce with a DPoP-Nonce header.
	resp := h.call(usersURL, auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token}))
	nonce := resp.Header.Get("DPoP-Nonce")
	expectDPoPChallenge(t, "no nonce", resp, "use_dpop_nonce", "Resource server requires nonce")
	if nonce == "" {
		t.Fatal("resource use_dpop_nonce without a DPoP-Nonce header")
	}
	// The authorization server's nonces are not the resource server's.
	asResp := h.tokenReq(h.proof(proofSpec{method: "POST", url: h.url + tokenPath}))
	asNonce := asResp.Header.Get("DPoP-Nonce")
	asResp.Body.Close()
	resp = h.call(usersURL, auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: asNonce}))
	expectDPoPChallenge(t, "authorization server nonce", resp, "use_dpop_nonce", "nonce")

	good := h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce})
	resp = h.call(usersURL, auth, good)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("DPoP call with nonce: status %d (%s)", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// A query string is no part of htu.
	resp = h.call(usersURL+"?limit=2", auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce}))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("DPoP call with a query: status %d (%s)", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}

	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := h.clock.Now()
	for name, c := range map[string]struct{ auth, proof, code, want string }{
		"bearer scheme": {"Bearer " + token, "", "invalid_dpop_proof", "DPoP authorization scheme"},
		"missing proof": {auth, "", "invalid_dpop_proof", "header is missing"},
		"replayed jti":  {auth, good, "invalid_dpop_proof", "'jti' has already been used"},
		"wrong ath":     {auth, h.proof(proofSpec{method: "GET", url: usersURL, token: "other-token", nonce: nonce}), "invalid_dpop_proof", "'ath'"},
		"no ath":        {auth, h.proof(proofSpec{method: "GET", url: usersURL, nonce: nonce}), "invalid_dpop_proof", "'ath'"},
		"other key":     {auth, signProof(t, other, proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce, iat: now}), "invalid_dpop_proof", "bound to"},
		"wrong htu":     {auth, h.proof(proofSpec{method: "GET", url: h.url + "/api/v1/groups", token: token, nonce: nonce}), "invalid_dpop_proof", "'htu'"},
		"htu query":     {auth, h.proof(proofSpec{method: "GET", url: usersURL + "?limit=2", token: token, nonce: nonce}), "invalid_dpop_proof", "'htu'"},
		"wrong htm":     {auth, h.proof(proofSpec{method: "POST", url: usersURL, token: token, nonce: nonce}), "invalid_dpop_proof", "'htm'"},
		"iat too old":   {auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce, iat: now.Add(-dpopProofMaxAge - time.Minute)}), "invalid_dpop_proof", "'iat'"},
		"iat in future": {auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce, iat: now.Add(dpopProofClockSkew + time.Minute)}), "invalid_dpop_proof", "'iat'"},
	} {
		expectDPoPChallenge(t, name, h.call(usersURL, c.auth, c.proof), c.code, c.want)
	}

	// A stale nonce gets a new challenge with a fresh nonce.
	h.clock.Advance(DefaultPlatformOptions().OAuth.DPoPNonceLifetime + time.Second)
	resp = h.call(usersURL, auth, h.proof(proofSpec{method: "GET", url: usersURL, token: token, nonce: nonce}))
	fresh := resp.Header.Get("DPoP-Nonce")
	expectDPoPChallenge(t, "stale nonce", resp, "use_dpop_nonce", "nonce")
	if fresh == "" || fresh == nonce {
		t.Errorf("stale nonce: DPoP-Nonce = %q, want a new nonce", fresh)
	}

	// Scopes still apply, with a DPoP challenge.
	logsURL := h.url + "/api/v1/logs"
	resp = h.call(logsURL, auth, h.proof(proofSpec{method: "GET", url: logsURL, token: token, nonce: fresh}))
	expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
	if wa := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "DPoP ") || !strings.Contains(wa, `error="insufficient_scope"`) {
		t.Errorf("DPoP insufficient scope: WWW-Authenticate = %q", wa)
	}
}

// TestPlatformDPoPWithoutResourceNonce: with DPoPResourceNonce off, API call
// proofs need no nonce (the token endpoint still demands one).
func TestPlatformDPoPWithoutResourceNonce(t *testing.T) {
	h := newDPoPHarness(t, false)
	token := h.token()
	usersURL := h.url + "/api/v1/users"
	resp := h.call(usersURL, "DPoP "+token, h.proof(proofSpec{method: "GET", url: usersURL, token: token}))
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("DPoP-Nonce") != "" {
		t.Fatalf("DPoP call without nonce: status %d, DPoP-Nonce %q", resp.StatusCode, resp.Header.Get("DPoP-Nonce"))
	}
}
