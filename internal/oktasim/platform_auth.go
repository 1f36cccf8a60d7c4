package oktasim

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	errInvalidToken   = "E0000011"
	summaryInvalidTok = "Invalid token provided"
	errNoPermission   = "E0000006"
	summaryNoPerm     = "You do not have permission to perform the requested action"
	insufficientScope = "The access token provided does not contain the required scopes."
)

// authFailure is a refused management request.
type authFailure struct {
	status  int
	code    string // Okta error code of the body
	summary string
	// wwwAuth, when set, is sent as WWW-Authenticate.
	wwwAuth string
	// dpopNonce, when set, is sent as DPoP-Nonce (a use_dpop_nonce challenge).
	dpopNonce string
}

func (f *authFailure) write(w http.ResponseWriter) {
	if f.wwwAuth != "" {
		w.Header().Set("WWW-Authenticate", f.wwwAuth)
	}
	if f.dpopNonce != "" {
		w.Header().Set("DPoP-Nonce", f.dpopNonce)
	}
	writeOktaError(w, f.status, f.code, f.summary)
}

// wwwAuthenticate builds the challenge Okta's resource server sends for a
// bearer (or DPoP) token failure.
func wwwAuthenticate(r *http.Request, scheme, scope, errCode, description string) string {
	var b strings.Builder
	b.WriteString(scheme)
	if scheme == "DPoP" {
		b.WriteString(` algs="RS256 RS384 RS512 ES256 ES384 ES512",`)
	}
	fmt.Fprintf(&b, ` authorization_uri="%s/oauth2/v1/authorize", realm="IdpMyAccountAPI",`, baseURL(r))
	if scope != "" {
		fmt.Fprintf(&b, ` scope="%s",`, scope)
	}
	fmt.Fprintf(&b, ` error="%s", error_description="%s", resource="%s"`, errCode, description, r.URL.Path)
	return b.String()
}

// authenticate identifies the caller of a management request from its
// Authorization header: SSWS token, Bearer access token, or DPoP-bound
// access token with its proof.
func (p *platform) authenticate(r *http.Request, now time.Time) (*principal, *authFailure) {
	scheme, value, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	value = strings.TrimSpace(value)
	switch {
	case strings.EqualFold(scheme, "SSWS") && value != "":
		if pr, ok := p.apiTokens[value]; ok {
			return pr, nil
		}
	case strings.EqualFold(scheme, "Bearer") && value != "":
		t, expired := p.tokens.lookup(value, now)
		switch {
		case t == nil:
			desc := "The token is not valid."
			if expired {
				desc = "The access token is expired."
			}
			return nil, p.tokenFailure(r, "Bearer", "invalid_token", desc)
		case t.jkt != "":
			return nil, p.tokenFailure(r, "DPoP", "invalid_dpop_proof", "The DPoP-bound access token must be sent with the DPoP authorization scheme and a DPoP proof.")
		}
		return &t.principal, nil
	case strings.EqualFold(scheme, "DPoP") && value != "":
		t, expired := p.tokens.lookup(value, now)
		switch {
		case t == nil:
			desc := "The token is not valid."
			if expired {
				desc = "The access token is expired."
			}
			return nil, p.tokenFailure(r, "DPoP", "invalid_token", desc)
		case t.jkt == "":
			return nil, p.tokenFailure(r, "DPoP", "invalid_token", "The access token is not DPoP-bound; use the Bearer scheme.")
		}
		if f := p.verifyResourceDPoP(r, value, t, now); f != nil {
			return nil, f
		}
		return &t.principal, nil
	}
	return nil, &authFailure{status: http.StatusUnauthorized, code: errInvalidToken, summary: summaryInvalidTok}
}

func (p *platform) tokenFailure(r *http.Request, scheme, errCode, desc string) *authFailure {
	return &authFailure{
		status: http.StatusUnauthorized, code: errInvalidToken, summary: summaryInvalidTok,
		wwwAuth: wwwAuthenticate(r, scheme, "", errCode, desc),
	}
}

// authorize checks scopes (OAuth tokens only) and the admin role.
func authorize(r *http.Request, pr *principal) *authFailure {
	if pr.scopes != nil {
		if want := requiredScopes(r.Method, r.URL.Path); want != nil && !hasAnyScope(pr.scopes, want) {
			scheme := "Bearer"
			if s, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(s, "DPoP") {
				scheme = "DPoP"
			}
			return &authFailure{
				status: http.StatusForbidden, code: errNoPermission, summary: summaryNoPerm,
				wwwAuth: wwwAuthenticate(r, scheme, want[0], "insufficient_scope", insufficientScope),
			}
		}
	}
	if !allowedForRole(pr.role, r.Method, r.URL.Path) {
		return &authFailure{status: http.StatusForbidden, code: errNoPermission, summary: summaryNoPerm}
	}
	return nil
}

type principalKey struct{}

// withPrincipal stores the authenticated caller in ctx.
func withPrincipal(ctx context.Context, pr *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, pr)
}

// CallerRole returns the admin role (RoleSuper or RoleReadOnly) of the
// authenticated caller of r, for routes that answer differently per role;
// ok is false outside the platform middleware.
func CallerRole(r *http.Request) (role string, ok bool) {
	pr, ok := r.Context().Value(principalKey{}).(*principal)
	if !ok {
		return "", false
	}
	return pr.role, true
}
