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

// dpopProofFor signs a DPoP proof with key for method and url; token, when
// set, becomes ath; nonce, when set, becomes nonce.
func dpopProofFor(t *testing.T, key *ecdsa.PrivateKey, method, url, token, nonce string) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"htm": method, "htu": url, "iat": time.Now().Unix(), "jti": randomToken(16)}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if nonce != "" {
		claims["nonce"] = nonce
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

func TestPlatformDPoP(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.OAuth.DPoP = true
	h := newPlatformHarness(t, opts)
	client, _ := testKeys(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tokenURL := h.url + tokenPath
	tokenReq := func(proof string) *http.Response {
		form := tokenForm(signAssertion(t, client, h.validClaims()), "okta.users.read")
		req, _ := http.NewRequest("POST", tokenURL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	expectOAuthError(t, tokenReq(""), 400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
	resp := tokenReq(dpopProofFor(t, key, "POST", tokenURL, "", ""))
	nonce := resp.Header.Get("DPoP-Nonce")
	expectOAuthError(t, resp, 400, "use_dpop_nonce", "nonce")
	if nonce == "" {
		t.Fatal("use_dpop_nonce without a DPoP-Nonce header")
	}
	resp = tokenReq(dpopProofFor(t, key, "POST", tokenURL, "", nonce))
	var tr tokenResponse
	decode(t, resp, &tr)
	if resp.StatusCode != 200 || tr.TokenType != "DPoP" {
		t.Fatalf("token with nonce: status %d %+v", resp.StatusCode, tr)
	}

	usersURL := h.url + "/api/v1/users"
	call := func(auth, proof string) *http.Response {
		req, _ := http.NewRequest("GET", usersURL, nil)
		req.Header.Set("Authorization", auth)
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	good := dpopProofFor(t, key, "GET", usersURL, tr.AccessToken, "")
	resp = call("DPoP "+tr.AccessToken, good)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("DPoP call: status %d (%s)", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	for name, c := range map[string]struct{ auth, proof, want string }{
		"bearer scheme": {"Bearer " + tr.AccessToken, "", "invalid_dpop_proof"},
		"no proof":      {"DPoP " + tr.AccessToken, "", "header is missing"},
		"replayed":      {"DPoP " + tr.AccessToken, good, "already been used"},
		"wrong ath":     {"DPoP " + tr.AccessToken, dpopProofFor(t, key, "GET", usersURL, "other-token", ""), "'ath'"},
		"other key":     {"DPoP " + tr.AccessToken, dpopProofFor(t, other, "GET", usersURL, tr.AccessToken, ""), "bound to"},
		"wrong htu":     {"DPoP " + tr.AccessToken, dpopProofFor(t, key, "GET", h.url+"/api/v1/groups", tr.AccessToken, ""), "'htu'"},
		"wrong htm":     {"DPoP " + tr.AccessToken, dpopProofFor(t, key, "POST", usersURL, tr.AccessToken, ""), "'htm'"},
	} {
		resp := call(c.auth, c.proof)
		expectOktaError(t, resp, 401, "E0000011", "Invalid token provided")
		if wa := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "DPoP ") || !strings.Contains(wa, c.want) {
			t.Errorf("%s: WWW-Authenticate = %q, want DPoP challenge containing %q", name, wa, c.want)
		}
	}
	// Scopes still apply, with a DPoP challenge.
	logsURL := h.url + "/api/v1/logs"
	req, _ := http.NewRequest("GET", logsURL, nil)
	req.Header.Set("Authorization", "DPoP "+tr.AccessToken)
	req.Header.Set("DPoP", dpopProofFor(t, key, "GET", logsURL, tr.AccessToken, ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
	if wa := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "DPoP ") || !strings.Contains(wa, `error="insufficient_scope"`) {
		t.Errorf("DPoP insufficient scope: WWW-Authenticate = %q", wa)
	}
}
