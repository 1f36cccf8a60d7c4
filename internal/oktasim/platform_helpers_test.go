package oktasim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// testClientKey is the RSA key of the test OAuth app; otherKey signs forged assertions.
var (
	keysOnce                sync.Once
	testClientKey, otherKey *rsa.PrivateKey
)

func testKeys(t testing.TB) (client, other *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if testClientKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testClientKey, otherKey
}

// pkcs1PEM encodes key the way okta-sdk-golang v2 wants it.
func pkcs1PEM(key *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// testPlatformOptions returns defaults with OAuth enabled for the test key.
func testPlatformOptions(t testing.TB) PlatformOptions {
	client, _ := testKeys(t)
	o := DefaultPlatformOptions()
	o.OAuth.PublicKey = &client.PublicKey
	return o
}

// platformHarness is the platform middleware around the platform routes,
// the platform control routes and small test handlers, served over HTTP.
type platformHarness struct {
	t    testing.TB
	srv  *httptest.Server
	sim  *Server
	url  string
	hold chan struct{} // /api/v1/slow waits on it

	mu         sync.Mutex
	retryCount []string // X-Okta-Retry-Count of each GET /api/v1/groups
}

// manualClock is a simulator clock that stands still until the test moves it,
// so that a test can pass a rate-limit window or a token lifetime without
// waiting for it.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock { return &manualClock{now: time.Now()} }

// Now is the clock's current time.
func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newPlatformHarness(t testing.TB, opts PlatformOptions) *platformHarness {
	t.Helper()
	return newPlatformHarnessWithClock(t, opts, time.Now)
}

// newPlatformHarnessWithClock is newPlatformHarness on the given simulator clock.
func newPlatformHarnessWithClock(t testing.TB, opts PlatformOptions, clock func() time.Time) *platformHarness {
	t.Helper()
	p, err := newPlatform(opts, clock)
	if err != nil {
		t.Fatalf("newPlatform: %v", err)
	}
	s := &Server{opts: Options{Platform: opts, Control: true}, platform: p}
	h := &platformHarness{t: t, sim: s, hold: make(chan struct{})}
	mux := http.NewServeMux()
	s.registerPlatformRoutes(mux)
	s.registerPlatformControlRoutes(mux)
	echo := func(w http.ResponseWriter, r *http.Request) {
		role, _ := CallerRole(r)
		writeJSON(w, http.StatusOK, map[string]any{"path": r.URL.Path, "method": r.Method, "role": role,
			"padding": strings.Repeat("x", 200)})
	}
	mux.HandleFunc("/api/v1/", echo)
	mux.HandleFunc("/oauth2/v1/clients/", echo)
	mux.HandleFunc("/api/v1/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-h.hold:
		case <-r.Context().Done():
		}
		writeJSON(w, http.StatusOK, map[string]string{"ok": "slow"})
	})
	mux.HandleFunc("GET /api/v1/groups", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.retryCount = append(h.retryCount, r.Header.Get("X-Okta-Retry-Count"))
		h.mu.Unlock()
		writeJSON(w, http.StatusOK, []map[string]any{
			{"id": "00gharnessgroup00001", "type": "OKTA_GROUP", "profile": map[string]string{"name": "Everyone"}},
			{"id": "00gharnessgroup00002", "type": "OKTA_GROUP", "profile": map[string]string{"name": "Engineering"}},
		})
	})
	mux.HandleFunc("/.well-known/okta-organization", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"pipeline": "idx"})
	})
	h.srv = httptest.NewServer(p.wrap(mux))
	h.url = h.srv.URL
	t.Cleanup(func() {
		select {
		case <-h.hold:
		default:
			close(h.hold)
		}
		h.srv.Close()
	})
	return h
}

// do sends a request with the given Authorization header ("" for none).
func (h *platformHarness) do(method, path, auth string, body io.Reader) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, body)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// ssws sends a GET with the demo token.
func (h *platformHarness) ssws(path string) *http.Response {
	return h.do(http.MethodGet, path, "SSWS "+DefaultDemoToken, nil)
}

// decode reads resp's JSON body into v and closes it.
func decode(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode body %q: %v", data, err)
	}
}

// expectOktaError checks status and an Okta error body with code and summary.
func expectOktaError(t testing.TB, resp *http.Response, status int, code, summary string) oktaError {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d", resp.StatusCode, status)
	}
	var e oktaError
	decode(t, resp, &e)
	if e.ErrorCode != code || e.ErrorSummary != summary || e.ErrorLink != code ||
		!strings.HasPrefix(e.ErrorID, "oae") || e.ErrorCauses == nil {
		t.Errorf("error body = %+v, want code %s summary %q, errorLink = code, errorId oae…, errorCauses []", e, code, summary)
	}
	return e
}

// assertionClaims are the claims of a client assertion; zero fields are omitted.
type assertionClaims struct {
	Iss string `json:"iss,omitempty"`
	Sub string `json:"sub,omitempty"`
	Aud string `json:"aud,omitempty"`
	Exp int64  `json:"exp,omitempty"`
	Iat int64  `json:"iat,omitempty"`
	Jti string `json:"jti,omitempty"`
}

// validClaims returns claims the harness accepts.
func (h *platformHarness) validClaims() assertionClaims {
	now := time.Now()
	return assertionClaims{Iss: DefaultOAuthClientID, Sub: DefaultOAuthClientID, Aud: h.url + tokenPath,
		Iat: now.Unix(), Exp: now.Add(time.Hour).Unix()}
}

// signAssertion signs claims with key (RS256).
func signAssertion(t testing.TB, key *rsa.PrivateKey, claims assertionClaims) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("sign assertion: %v", err)
	}
	return s
}

// tokenForm returns the token request parameters.
func tokenForm(assertion, scope string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {scope},
		"client_assertion_type": {jwtBearerAssertion},
		"client_assertion":      {assertion},
	}
}

// postToken sends the token request with params in the body.
func (h *platformHarness) postToken(form url.Values) *http.Response {
	h.t.Helper()
	resp, err := http.Post(h.url+tokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatalf("token request: %v", err)
	}
	return resp
}

// bearer obtains an access token for scope with a valid assertion.
func (h *platformHarness) bearer(scope string) string {
	h.t.Helper()
	client, _ := testKeys(h.t)
	resp := h.postToken(tokenForm(signAssertion(h.t, client, h.validClaims()), scope))
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("token status %d: %s", resp.StatusCode, body)
	}
	var tr tokenResponse
	decode(h.t, resp, &tr)
	return tr.AccessToken
}

// putJSON sends a control-API PUT and returns the response.
func (h *platformHarness) putJSON(path, body string) *http.Response {
	h.t.Helper()
	return h.do(http.MethodPut, path, "", strings.NewReader(body))
}

// mustPut sends a control-API PUT and fails unless it answers 200.
func (h *platformHarness) mustPut(path, body string) {
	h.t.Helper()
	resp := h.putJSON(path, body)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		h.t.Fatalf("PUT %s %s: status %d %s", path, body, resp.StatusCode, data)
	}
}

// stats reads GET /_sim/stats.
func (h *platformHarness) stats() PlatformStats {
	h.t.Helper()
	var s PlatformStats
	decode(h.t, h.do(http.MethodGet, "/_sim/stats", "", nil), &s)
	return s
}
