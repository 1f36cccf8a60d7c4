package dpop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// Mode says when a client uses DPoP.
type Mode int

const (
	// Auto uses DPoP once the token endpoint asks for it: a 400 invalid_dpop_proof or
	// use_dpop_nonce, or a DPoP token returned to a request without a proof.
	Auto Mode = iota
	// Always sends a proof on every token request and API call.
	Always
	// Never sends no proof; a token endpoint that asks for one is an error.
	Never
)

// String is the configuration spelling of m: auto, true or false.
func (m Mode) String() string {
	switch m {
	case Always:
		return "true"
	case Never:
		return "false"
	}
	return "auto"
}

// Session is the DPoP state of one OAuth client: its mode, key and the servers'
// nonces. It is safe for concurrent use.
type Session struct {
	mode   Mode
	signer *Signer // nil with Never
	nonces Nonces
	active atomic.Bool // proofs are sent
}

// NewSession returns the session of a client in mode; signer may be nil only with Never.
func NewSession(mode Mode, signer *Signer) (*Session, error) {
	if signer == nil && mode != Never {
		return nil, errors.New("dpop: a signer is required unless DPoP is off")
	}
	s := &Session{mode: mode, signer: signer}
	s.active.Store(mode == Always)
	return s, nil
}

// Mode returns the configured mode.
func (s *Session) Mode() Mode { return s.mode }

// Active reports whether requests carry proofs now.
func (s *Session) Active() bool { return s.active.Load() }

// TokenAttempt is the state of one token fetch (its first request and the retries the
// session asks for). The zero value starts a fetch.
type TokenAttempt struct {
	proofSent, switched, nonceRetried bool
}

// TokenProof returns the DPoP header value for a token request to tokenURL, or "" when
// the session sends no proofs (yet).
func (s *Session) TokenProof(tokenURL *url.URL, a *TokenAttempt) (string, error) {
	a.proofSent = s.Active()
	if !a.proofSent {
		return "", nil
	}
	return s.signer.Proof(http.MethodPost, tokenURL, "", s.nonces.Get(tokenKey(tokenURL)))
}

// TokenAnswer records the nonce of a token endpoint answer and reports whether the
// token request must be sent again (with a fresh client assertion and proof): in Auto
// mode once when the endpoint asks for DPoP, and once when it asks for a nonce. A fetch
// therefore sends at most three requests and never loops.
func (s *Session) TokenAnswer(tokenURL *url.URL, status int, h http.Header, body []byte, a *TokenAttempt) bool {
	s.nonces.Update(tokenKey(tokenURL), h)
	if s.mode == Auto && !a.proofSent && !a.switched && (AsksForDPoP(status, body) || (status == http.StatusOK && tokenType(body) == "DPoP")) {
		s.active.Store(true)
		a.switched = true
		return true
	}
	if a.proofSent && !a.nonceRetried && IsNonceChallenge(status, h, body) {
		a.nonceRetried = true
		return true
	}
	return false
}

// CheckTokenType accepts the token_type of a successful token answer: "Bearer" (or
// absent) when no proof was sent, "Bearer" or "DPoP" after a proof; it returns the
// Authorization scheme to use.
func (s *Session) CheckTokenType(tokenType string, a *TokenAttempt) (string, error) {
	switch {
	case tokenType == "" || strings.EqualFold(tokenType, "Bearer"):
		return "Bearer", nil
	case strings.EqualFold(tokenType, "DPoP") && a.proofSent:
		return "DPoP", nil
	case strings.EqualFold(tokenType, "DPoP"):
		return "", errors.New("the token endpoint returned a DPoP-bound token to a request without a DPoP proof")
	}
	return "", fmt.Errorf("token type %q is not supported (want Bearer or DPoP)", tokenType)
}

// ResourceProof returns the DPoP header value for an API call with a DPoP-bound token:
// htm method, htu target, ath of token, and the resource server's last nonce.
func (s *Session) ResourceProof(method string, target *url.URL, token string) (string, error) {
	if s.signer == nil {
		return "", errors.New("dpop: no key to sign the proof of a DPoP-bound token")
	}
	return s.signer.Proof(method, target, token, s.nonces.Get(originKey(target)))
}

// ResourceAnswer records the nonce of a resource server answer and reports whether it
// asks for the call to be sent again with that nonce. The caller sends it again at most
// once per call.
func (s *Session) ResourceAnswer(target *url.URL, status int, h http.Header) bool {
	s.nonces.Update(originKey(target), h)
	return IsNonceChallenge(status, h, nil)
}

// tokenKey names the authorization server's nonce: its token endpoint.
func tokenKey(u *url.URL) string { return "token " + HTU(u) }

// originKey names a resource server's nonce: its origin.
func originKey(u *url.URL) string { return "resource " + strings.ToLower(u.Scheme+"://"+u.Host) }

func tokenType(body []byte) string {
	var b struct {
		TokenType string `json:"token_type"`
	}
	_ = json.Unmarshal(body, &b)
	return b.TokenType
}
