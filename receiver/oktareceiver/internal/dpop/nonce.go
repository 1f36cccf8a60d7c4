package dpop

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// NonceHeader is the answer header that carries a server's next nonce.
const NonceHeader = "DPoP-Nonce"

// OAuth error codes of a DPoP refusal.
const (
	// ErrUseNonce asks the client to send the proof again with the nonce of the
	// DPoP-Nonce header.
	ErrUseNonce = "use_dpop_nonce"
	// ErrInvalidProof refuses a missing or bad proof.
	ErrInvalidProof = "invalid_dpop_proof"
)

// Nonces is the last nonce of each server, keyed by a name the caller chooses (the
// token endpoint URL for the authorization server, the origin for the resource
// server). It is safe for concurrent use.
type Nonces struct {
	mu sync.Mutex
	m  map[string]string
}

// Get returns the server's last nonce, or "".
func (n *Nonces) Get(server string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[server]
}

// Update records the DPoP-Nonce header of an answer from server, when it has one. It
// reports whether the header was present.
func (n *Nonces) Update(server string, h http.Header) bool {
	v := strings.TrimSpace(h.Get(NonceHeader))
	if v == "" {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.m == nil {
		n.m = map[string]string{}
	}
	n.m[server] = v
	return true
}

// IsNonceChallenge reports whether an answer asks for the request to be sent again with
// the nonce of its DPoP-Nonce header: a token endpoint's 400 {"error":"use_dpop_nonce"}
// or a resource server's 401 with a WWW-Authenticate DPoP challenge whose error is
// use_dpop_nonce. An answer without a DPoP-Nonce header is no challenge a client can
// meet, so it is not one.
func IsNonceChallenge(status int, h http.Header, body []byte) bool {
	if strings.TrimSpace(h.Get(NonceHeader)) == "" {
		return false
	}
	switch status {
	case http.StatusBadRequest:
		return OAuthErrorCode(body) == ErrUseNonce
	case http.StatusUnauthorized:
		return ChallengeError(h) == ErrUseNonce
	}
	return false
}

// AsksForDPoP reports whether a token endpoint answer refuses the request because the
// client must use DPoP: 400 with error invalid_dpop_proof or use_dpop_nonce.
func AsksForDPoP(status int, body []byte) bool {
	if status != http.StatusBadRequest {
		return false
	}
	code := OAuthErrorCode(body)
	return code == ErrInvalidProof || code == ErrUseNonce
}

// OAuthErrorCode returns the "error" member of an OAuth error body, or "".
func OAuthErrorCode(body []byte) string {
	var b struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Error
}

// ChallengeError returns the error parameter of a WWW-Authenticate DPoP challenge, or
// "" when the answer has no DPoP challenge.
func ChallengeError(h http.Header) string {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, params, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "DPoP") {
			continue
		}
		if e, ok := authParam(params, "error"); ok {
			return e
		}
	}
	return ""
}

// authParam returns the value of name in a comma-separated list of auth-params
// (name="quoted value" or name=token).
func authParam(params, name string) (string, bool) {
	rest := params
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "", false
		}
		key = strings.TrimSpace(key)
		var val string
		if strings.HasPrefix(after, `"`) {
			var ok bool
			if val, rest, ok = quotedString(after); !ok {
				return "", false
			}
		} else {
			val, rest, _ = strings.Cut(after, ",")
			val = strings.TrimSpace(val)
		}
		if strings.EqualFold(key, name) {
			return val, true
		}
	}
	return "", false
}

// quotedString reads the quoted-string at the start of s (backslash escapes one
// character) and returns its value and what follows it.
func quotedString(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
