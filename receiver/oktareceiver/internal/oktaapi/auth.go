package oktaapi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// Authenticator sets the credential of each request. New kinds of credentials are new
// implementations.
type Authenticator interface {
	// Authorize sets the credential headers of req (it may first obtain a token, with
	// req's context).
	Authorize(req *http.Request) error
	// Invalidate is called after Okta answered 401: it drops a cached credential and reports
	// whether a new one may be obtained (false for a static API token: sending the request
	// again cannot help).
	Invalidate() bool
}

// NonceChallenger is implemented by an authenticator whose credential carries a server nonce
// (a DPoP-bound token). The client calls it with every answer of an API request it sent.
type NonceChallenger interface {
	// NonceChallenge records the nonce of resp (to req) and reports whether resp asks for the
	// request to be sent again with that nonce. The client sends it again at most once.
	NonceChallenge(req *http.Request, resp *http.Response) bool
}

// Auth builds the authenticator of a client; it may send requests of its own through the
// client's rate limiter (an OAuth token request counts against Okta's limits too).
type Auth func(c *Client) (Authenticator, error)

// APIToken authenticates with an SSWS API token.
func APIToken(token string) Auth {
	return func(*Client) (Authenticator, error) { return sswsAuth{header: "SSWS " + token}, nil }
}

type sswsAuth struct{ header string }

func (a sswsAuth) Authorize(req *http.Request) error {
	req.Header.Set("Authorization", a.header)
	return nil
}

func (sswsAuth) Invalidate() bool { return false }

// OAuthParams configure an OAuth 2.0 service app that authenticates with a signed client
// assertion (private_key_jwt) against the org authorization server.
type OAuthParams struct {
	ClientID string
	// KeyID is the kid of the public key registered on the app ("" to send none).
	KeyID  string
	Scopes []string
	Key    *rsa.PrivateKey
	// DPoP binds the tokens to a key (RFC 9449): it signs the proofs, keeps the servers'
	// nonces and decides when proofs are sent. nil sends no proofs (like dpop.Never).
	DPoP *dpop.Session
}

// OAuth authenticates with access tokens of the client-credentials flow (private_key_jwt),
// obtained from <org>/oauth2/v1/token and cached until shortly before they expire. The flow is
// done here rather than with okta-sdk-golang v2: the SDK accepts only PKCS#1 keys, sends the
// parameters in the URL query, has no DPoP and cannot be bounded by the rate-limit budget.
// DPoP proofs, nonces and the auto/true/false decision live in internal/dpop; the token
// source only asks it.
func OAuth(p OAuthParams) Auth {
	return func(c *Client) (Authenticator, error) {
		if p.Key == nil {
			return nil, errors.New("oauth: no private key")
		}
		session := p.DPoP
		if session == nil {
			var err error
			if session, err = dpop.NewSession(dpop.Never, nil); err != nil {
				return nil, err
			}
		}
		return &oauthTokenSource{
			dpop:     session,
			tokenURL: c.OrgURL() + "/oauth2/v1/token",
			clientID: p.ClientID,
			keyID:    p.KeyID,
			scopes:   strings.Join(p.Scopes, " "),
			key:      p.Key,
			send:     c.sendLimited,
			now:      time.Now,
		}, nil
	}
}

// tokenRefreshMargin is how long before expiry a cached access token is replaced.
const tokenRefreshMargin = 60 * time.Second

// ErrEncryptedKey says how to turn a password-protected key into one the receiver can read.
var ErrEncryptedKey = errors.New("encrypted private keys are not supported; decrypt it with openssl " +
	"(openssl pkey -in encrypted.pem -out key.pem, which asks for the passphrase) and keep the result readable only by the collector")

// ParseRSAPrivateKey accepts a PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8)
// block holding an RSA key of at least 2048 bits.
func ParseRSAPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found (expected an RSA private key in PEM form)")
	}
	// A legacy OpenSSL-encrypted PKCS#1 key keeps its block type and says so in its headers.
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, ErrEncryptedKey
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#1 RSA private key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#8 private key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#8 key is %T, not an RSA key (Okta service apps sign with RS256)", k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("PEM block %q is not an RSA private key (want \"RSA PRIVATE KEY\" or \"PRIVATE KEY\")", block.Type)
	}
	if key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key has %d bits; Okta requires at least 2048", key.N.BitLen())
	}
	return key, nil
}

// oauthTokenSource obtains access tokens from the org authorization server with a
// signed client assertion and caches them until expiry − tokenRefreshMargin.
type oauthTokenSource struct {
	tokenURL string
	clientID string
	keyID    string
	scopes   string
	key      *rsa.PrivateKey
	// send sends the token request; the client routes it through its rate limiter.
	send func(*http.Request) (*http.Response, error)
	now  func() time.Time

	// dpop signs proofs and keeps the servers' nonces (mode never: sends none).
	dpop *dpop.Session

	mu      sync.Mutex
	token   string
	scheme  string // "Bearer" or "DPoP", as the token endpoint said
	expires time.Time
}

// tokenResponse is the token endpoint's success or OAuth error body.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// Authorize sets the access token, fetching one when the cached one is missing or about to
// expire, and for a DPoP-bound token a fresh proof for req's method and URL.
func (s *oauthTokenSource) Authorize(req *http.Request) error {
	s.mu.Lock()
	if s.token == "" || !s.now().Before(s.expires.Add(-tokenRefreshMargin)) {
		tok, scheme, exp, err := s.fetch(req.Context())
		if err != nil {
			s.mu.Unlock()
			return err
		}
		s.token, s.scheme, s.expires = tok, scheme, exp
	}
	token, scheme := s.token, s.scheme
	s.mu.Unlock()
	req.Header.Set("Authorization", scheme+" "+token)
	if scheme != "DPoP" {
		return nil
	}
	proof, err := s.dpop.ResourceProof(req.Method, req.URL, token)
	if err != nil {
		return err
	}
	req.Header.Set("DPoP", proof)
	return nil
}

// NonceChallenge records a DPoP-Nonce of resp and reports whether resp asks for req to be
// sent again with it (never while the tokens are Bearer tokens).
func (s *oauthTokenSource) NonceChallenge(req *http.Request, resp *http.Response) bool {
	if resp == nil || req.Header.Get("DPoP") == "" {
		return false
	}
	return s.dpop.ResourceAnswer(req.URL, resp.StatusCode, resp.Header)
}

// Invalidate drops the cached token (after a 401 from a resource endpoint): the next
// request fetches a new one.
func (s *oauthTokenSource) Invalidate() bool {
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
	return true
}

// fetch obtains a token: it returns the token, its Authorization scheme and its expiry.
// With DPoP the request may be sent up to three times (see dpop.Session.TokenAnswer),
// each time with a new client assertion, since Okta accepts an assertion only once.
func (s *oauthTokenSource) fetch(ctx context.Context) (string, string, time.Time, error) {
	tokenURL, err := url.Parse(s.tokenURL)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("oauth token URL: %w", err)
	}
	var attempt dpop.TokenAttempt
	for {
		status, header, body, err := s.post(ctx, tokenURL, &attempt)
		if err != nil {
			return "", "", time.Time{}, err
		}
		if s.dpop.TokenAnswer(tokenURL, status, header, body, &attempt) {
			continue
		}
		return s.tokenFrom(status, header, body, &attempt)
	}
}

// post sends one token request (with a DPoP proof when the session sends them) and
// returns the answer with its body read.
func (s *oauthTokenSource) post(ctx context.Context, tokenURL *url.URL, attempt *dpop.TokenAttempt) (int, http.Header, []byte, error) {
	assertion, err := s.assertion()
	if err != nil {
		return 0, nil, nil, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {s.scopes},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("oauth token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	proof, err := s.dpop.TokenProof(tokenURL, attempt)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("oauth token request: %w", err)
	}
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	resp, err := s.send(req)
	if err != nil {
		var waitErr *RateLimitWaitError
		if errors.As(err, &waitErr) || ctx.Err() != nil {
			return 0, nil, nil, fmt.Errorf("oauth token request: %w", err)
		}
		return 0, nil, nil, &transportError{err: fmt.Errorf("oauth token request: %w", scrubURLError(err))}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, nil, &transportError{err: fmt.Errorf("oauth token response: %w", err)}
	}
	return resp.StatusCode, resp.Header, body, nil
}

// tokenFrom turns the final token endpoint answer into a token or an error.
func (s *oauthTokenSource) tokenFrom(status int, header http.Header, body []byte, attempt *dpop.TokenAttempt) (string, string, time.Time, error) {
	var tr tokenResponse
	_ = json.Unmarshal(body, &tr)
	if status != http.StatusOK || tr.AccessToken == "" {
		ae := &APIError{Status: status, Code: tr.Error, Summary: tr.ErrorDescription, RequestID: header.Get("X-Okta-Request-Id")}
		if ae.Code == "" {
			ae.parseBody(body)
		}
		if s.dpop.Mode() == dpop.Never && dpop.AsksForDPoP(status, body) {
			return "", "", time.Time{}, fmt.Errorf("oauth token request for client %q: the service app requires DPoP "+
				"and oauth.dpop is false; set oauth.dpop to auto or true: %w", s.clientID, ae)
		}
		return "", "", time.Time{}, fmt.Errorf("oauth token request for client %q: %w", s.clientID, ae)
	}
	scheme, err := s.dpop.CheckTokenType(tr.TokenType, attempt)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("oauth token for client %q: %w", s.clientID, err)
	}
	expiresIn := time.Duration(tr.ExpiresIn) * time.Second
	if expiresIn <= 0 {
		expiresIn = time.Hour
	}
	return tr.AccessToken, scheme, s.now().Add(expiresIn), nil
}

// assertion builds the RS256 client assertion: iss = sub = client_id, aud = token URL,
// exp = now + 5 minutes, a random jti.
func (s *oauthTokenSource) assertion() (string, error) {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if s.keyID != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), s.keyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key}, opts)
	if err != nil {
		return "", fmt.Errorf("oauth signer: %w", err)
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("oauth jti: %w", err)
	}
	now := s.now()
	claims := jwt.Claims{
		Issuer:   s.clientID,
		Subject:  s.clientID,
		Audience: jwt.Audience{s.tokenURL},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(5 * time.Minute)),
		ID:       hex.EncodeToString(jti),
	}
	out, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("oauth assertion: %w", err)
	}
	return out, nil
}
