package oktareceiver

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
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// We do the OAuth 2.0 client-credentials flow with private_key_jwt ourselves instead of
// using okta-sdk-golang v2: the SDK accepts only PKCS#1 keys, sends the parameters in
// the URL query, has no DPoP and cannot be bounded by our rate-limit budget. DPoP proofs,
// nonces and the auto/true/false decision live in internal/dpop; this file only asks it.

// tokenRefreshMargin is how long before expiry a cached access token is replaced.
const tokenRefreshMargin = 60 * time.Second

// loadKey reads and parses the configured RSA private key (PKCS#1 or PKCS#8 PEM).
// Errors name the key that holds the bad value and never contain key material.
func (o OAuthConfig) loadKey() (*rsa.PrivateKey, error) {
	key := "oauth.private_key"
	pemBytes := []byte(o.PrivateKey)
	if o.PrivateKeyFile != "" {
		key = "oauth.private_key_file"
		b, err := os.ReadFile(o.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read %q: %w", key, o.PrivateKeyFile, errors.Unwrap(err))
		}
		pemBytes = b
	}
	k, err := parseRSAPrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return k, nil
}

// errEncryptedKey says how to turn a password-protected key into one the receiver can read.
var errEncryptedKey = errors.New("encrypted private keys are not supported; decrypt it with openssl " +
	"(openssl pkey -in encrypted.pem -out key.pem, which asks for the passphrase) and keep the result readable only by the collector")

// parseRSAPrivateKey accepts a PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8)
// block holding an RSA key of at least 2048 bits.
func parseRSAPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found (expected an RSA private key in PEM form)")
	}
	// A legacy OpenSSL-encrypted PKCS#1 key keeps its block type and says so in its headers.
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errEncryptedKey
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

func newOAuthTokenSource(orgURL string, cfg OAuthConfig, hc *http.Client) (*oauthTokenSource, error) {
	key, err := cfg.loadKey()
	if err != nil {
		return nil, err
	}
	session, err := cfg.newDPoPSession()
	if err != nil {
		return nil, err
	}
	return &oauthTokenSource{
		dpop:     session,
		tokenURL: strings.TrimSuffix(orgURL, "/") + "/oauth2/v1/token",
		clientID: cfg.ClientID,
		keyID:    cfg.KeyID,
		scopes:   strings.Join(cfg.Scopes, " "),
		key:      key,
		send:     hc.Do,
		now:      time.Now,
	}, nil
}

// tokenResponse is the token endpoint's success or OAuth error body.
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// credential authenticates API requests: an SSWS token, a Bearer token, or a DPoP-bound
// token with the session that signs each request's proof. Its fields are secrets.
type credential struct {
	header string        // the Authorization value
	token  string        // the access token of a DPoP credential (for ath)
	dpop   *dpop.Session // non-nil for a DPoP-bound token
}

// apply sets the Authorization header of req and, for a DPoP-bound token, a fresh proof
// for req's method and URL.
func (c credential) apply(req *http.Request) error {
	req.Header.Set("Authorization", c.header)
	if c.dpop == nil {
		return nil
	}
	proof, err := c.dpop.ResourceProof(req.Method, req.URL, c.token)
	if err != nil {
		return err
	}
	req.Header.Set("DPoP", proof)
	return nil
}

// nonceChallenge records a DPoP-Nonce of resp and reports whether resp asks for the
// request to be sent again with it (never for Bearer or SSWS credentials).
func (c credential) nonceChallenge(req *url.URL, resp *http.Response) bool {
	return c.dpop != nil && resp != nil && c.dpop.ResourceAnswer(req, resp.StatusCode, resp.Header)
}

// authorization returns the credential of the next request, fetching a token when the
// cached one is missing or about to expire.
func (s *oauthTokenSource) authorization(ctx context.Context) (credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" || !s.now().Before(s.expires.Add(-tokenRefreshMargin)) {
		tok, scheme, exp, err := s.fetch(ctx)
		if err != nil {
			return credential{}, err
		}
		s.token, s.scheme, s.expires = tok, scheme, exp
	}
	c := credential{header: s.scheme + " " + s.token}
	if s.scheme == "DPoP" {
		c.token, c.dpop = s.token, s.dpop
	}
	return c, nil
}

// invalidate drops the cached token (after a 401 from a resource endpoint).
func (s *oauthTokenSource) invalidate() {
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
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
		var waitErr *rateLimitWaitError
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
		ae := &apiError{Status: status, Code: tr.Error, Summary: tr.ErrorDescription, RequestID: header.Get("X-Okta-Request-Id")}
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
