package oktasim

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// principal is who made a management request: an SSWS token or the OAuth
// app behind an access token.
type principal struct {
	// client identifies the rate-limit client (token name or client id).
	client string
	// role is RoleSuper or RoleReadOnly.
	role string
	// scopes is nil for SSWS tokens (no scope check), else the granted scopes.
	scopes map[string]bool
}

// accessToken is one token minted by POST /oauth2/v1/token.
type accessToken struct {
	principal
	expires time.Time
	// jkt is the SHA-256 JWK thumbprint the token is bound to (DPoP), "" for Bearer.
	jkt string
}

// tokenStore holds minted access tokens, used assertion/proof ids (replay
// protection) and issued DPoP nonces.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]*accessToken
	jtis   map[string]time.Time // "kind:jti" → forget after
	nonces map[string]time.Time // nonce → valid until
	now    func() time.Time     // the simulator's wall clock
}

func newTokenStore(clock func() time.Time) *tokenStore {
	return &tokenStore{tokens: map[string]*accessToken{}, jtis: map[string]time.Time{}, nonces: map[string]time.Time{}, now: clock}
}

// issue stores a new access token and returns its value.
func (s *tokenStore) issue(t accessToken, now time.Time) string {
	value := randomToken(64)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.tokens[value] = &t
	return value
}

// lookup returns the token with value; expired tells an expired token apart
// from an unknown one.
func (s *tokenStore) lookup(value string, now time.Time) (t *accessToken, expired bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t = s.tokens[value]
	if t == nil {
		return nil, false
	}
	if !now.Before(t.expires) {
		return nil, true
	}
	return t, false
}

// useOnce records id (a client assertion or DPoP proof jti) until forget;
// it returns false when id was already used.
func (s *tokenStore) useOnce(id string, forget time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, seen := s.jtis[id]; seen && s.now().Before(until) {
		return false
	}
	s.jtis[id] = forget
	return true
}

// nonceServer tells the servers that issue DPoP nonces apart: a nonce of the
// authorization server is no nonce of the resource server, and the reverse.
type nonceServer string

const (
	nonceAuthServer     nonceServer = "as"
	nonceResourceServer nonceServer = "rs"
)

// newNonce issues a DPoP nonce of server, valid for ttl.
func (s *tokenStore) newNonce(server nonceServer, now time.Time, ttl time.Duration) string {
	n := randomToken(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nonces[string(server)+":"+n] = now.Add(ttl)
	return n
}

// validNonce reports whether n was issued by server and has not expired.
func (s *tokenStore) validNonce(server nonceServer, n string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.nonces[string(server)+":"+n]
	return ok && now.Before(until)
}

// pruneLocked drops expired entries; the caller holds s.mu.
func (s *tokenStore) pruneLocked(now time.Time) {
	maps.DeleteFunc(s.tokens, func(_ string, t *accessToken) bool { return !now.Before(t.expires) })
	maps.DeleteFunc(s.jtis, func(_ string, until time.Time) bool { return !now.Before(until) })
	maps.DeleteFunc(s.nonces, func(_ string, until time.Time) bool { return !now.Before(until) })
}

// scopeString renders granted scopes the way the token response does.
func scopeString(scopes map[string]bool) string {
	list := slices.Sorted(maps.Keys(scopes))
	return strings.Join(list, " ")
}
