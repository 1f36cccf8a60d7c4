package oktasim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	tokenPath           = "/oauth2/v1/token"
	jwtBearerAssertion  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	assertionClockSkew  = 30 * time.Second
	maxAssertionLife    = time.Hour
	dpopProofMaxAge     = 5 * time.Minute
	dpopProofClockSkew  = time.Minute
	oauthErrInvalidReq  = "invalid_request"
	oauthErrInvalidCli  = "invalid_client"
	oauthErrInvalidScp  = "invalid_scope"
	oauthErrUnsupported = "unsupported_grant_type"
)

// assertionAlgs are the signature algorithms accepted on client assertions.
var assertionAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512}

// oauthError is the body of a token endpoint error.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenResponse is the body of a successful token request.
type tokenResponse struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, oauthError{Error: code, ErrorDescription: description})
}

// registerPlatformRoutes registers the org authorization server's token
// endpoint: POST /oauth2/v1/token (client_credentials with private_key_jwt;
// parameters in the form body or the query string, as okta-sdk-golang v2
// sends them).
func (s *Server) registerPlatformRoutes(mux *http.ServeMux) {
	mux.HandleFunc(tokenPath, s.platform.serveToken)
}

// serveToken implements POST /oauth2/v1/token.
func (p *platform) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		p.tokenError(w, http.StatusMethodNotAllowed, oauthErrInvalidReq, "The token endpoint only accepts POST.")
		return
	}
	if err := r.ParseForm(); err != nil { // merges the query string and a form body
		p.tokenError(w, http.StatusBadRequest, oauthErrInvalidReq, "The request body is not a valid form.")
		return
	}
	now := p.now()
	form := r.Form
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			p.tokenError(w, http.StatusBadRequest, oauthErrInvalidReq, "The 'grant_type' parameter is missing.")
		} else {
			p.tokenError(w, http.StatusBadRequest, oauthErrUnsupported, fmt.Sprintf("The authorization grant type %q is not supported by the authorization server. Configured grant types: [client_credentials].", gt))
		}
		return
	}
	assertion := form.Get("client_assertion")
	if assertion == "" || form.Get("client_assertion_type") != jwtBearerAssertion {
		p.tokenError(w, http.StatusUnauthorized, oauthErrInvalidCli, "No client credentials found.")
		return
	}
	if p.clientKey == nil {
		p.tokenError(w, http.StatusUnauthorized, oauthErrInvalidCli, "Invalid value for 'client_id' parameter.")
		return
	}
	if desc := p.verifyAssertion(assertion, form.Get("client_id"), baseURL(r)+tokenPath, now); desc != "" {
		p.tokenError(w, http.StatusUnauthorized, oauthErrInvalidCli, desc)
		return
	}
	scopes, desc := p.grantScopes(form.Get("scope"))
	if desc != "" {
		p.tokenError(w, http.StatusBadRequest, oauthErrInvalidScp, desc)
		return
	}
	tokenType, jkt := "Bearer", ""
	if p.opts.OAuth.DPoP {
		var ok bool
		if jkt, ok = p.checkTokenDPoP(w, r, now); !ok {
			p.stats.do(func(s *PlatformStats) { s.TokenErrors++ })
			return
		}
		tokenType = "DPoP"
	}
	ttl := p.opts.OAuth.TokenTTL
	value := p.tokens.issue(accessToken{
		principal: principal{client: p.opts.OAuth.ClientID, role: p.opts.OAuth.Role, scopes: scopes},
		expires:   now.Add(ttl),
		jkt:       jkt,
	}, now)
	p.stats.do(func(s *PlatformStats) { s.TokensIssued++ })
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{
		TokenType: tokenType, ExpiresIn: int64(ttl / time.Second), AccessToken: value, Scope: scopeString(scopes),
	})
}

func (p *platform) tokenError(w http.ResponseWriter, status int, code, description string) {
	p.stats.do(func(s *PlatformStats) { s.TokenErrors++ })
	writeOAuthError(w, status, code, description)
}

// verifyAssertion checks a private_key_jwt client assertion and returns ""
// when it is valid, else the error_description to send.
func (p *platform) verifyAssertion(assertion, clientIDParam, audience string, now time.Time) string {
	tok, err := jwt.ParseSigned(assertion, assertionAlgs)
	if err != nil {
		return "The client_assertion token is not a valid JWT signed with RS256, RS384 or RS512."
	}
	var claims jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return "The client_assertion token's claims cannot be decoded."
	}
	clientID := p.opts.OAuth.ClientID
	if claims.Issuer != clientID || (clientIDParam != "" && clientIDParam != clientID) {
		return "Invalid value for 'client_id' parameter."
	}
	if claims.Subject != claims.Issuer {
		return "The client_assertion token must have the same 'iss' and 'sub' claims (the client_id)."
	}
	if err := tok.Claims(p.clientKey, &claims); err != nil {
		return "The client_assertion signature is invalid."
	}
	if !slices.Contains([]string(claims.Audience), audience) {
		return fmt.Sprintf("The audience claim for client_assertion must be the endpoint invoked for the request (%s).", audience)
	}
	if claims.Expiry == nil {
		return "The client_assertion token must contain an 'exp' claim."
	}
	exp := claims.Expiry.Time()
	if !now.Before(exp.Add(assertionClockSkew)) {
		return "The client_assertion token is expired."
	}
	if exp.After(now.Add(maxAssertionLife + assertionClockSkew)) {
		return "The client_assertion token has an expiration too far into the future."
	}
	if claims.NotBefore != nil && now.Add(assertionClockSkew).Before(claims.NotBefore.Time()) {
		return "The client_assertion token is not valid yet."
	}
	if claims.ID != "" && !p.tokens.useOnce("assertion:"+claims.ID, exp.Add(assertionClockSkew)) {
		return "The client_assertion token has already been used."
	}
	return ""
}

// grantScopes checks the requested scopes against the app's grants.
func (p *platform) grantScopes(requested string) (map[string]bool, string) {
	names := strings.Fields(requested)
	if len(names) == 0 {
		return nil, "No scopes were requested."
	}
	granted := map[string]bool{}
	var unknown, denied []string
	for _, n := range names {
		switch {
		case !knownScope(n):
			unknown = append(unknown, n)
		case !p.grantedScopes[n]:
			denied = append(denied, n)
		default:
			granted[n] = true
		}
	}
	if len(unknown) > 0 {
		return nil, "One or more scopes are not configured for the authorization server resource: " + strings.Join(unknown, " ")
	}
	if len(denied) > 0 {
		return nil, "The following scopes are not allowed: " + strings.Join(denied, " ")
	}
	return granted, ""
}
