package oktasim

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Admin roles a simulated API token or OAuth service app can hold.
const (
	// RoleSuper is SUPER_ADMIN: every endpoint, every method.
	RoleSuper = "super"
	// RoleReadOnly is READ_ONLY_ADMIN: GET only, and no Super-Admin-only endpoint.
	RoleReadOnly = "read_only"
)

// DefaultDemoToken is the SSWS token of the demo org.
const DefaultDemoToken = "oktasim-demo-token"

// DefaultOAuthClientID is the client id of the demo OAuth service app.
const DefaultOAuthClientID = "0oasimulatorclient01"

// PlatformOptions configures what wraps every request: authentication,
// scopes and admin roles, rate limits and injected faults.
type PlatformOptions struct {
	// Token is the default SSWS API token ("Authorization: SSWS <Token>").
	Token string
	// AdminRole is the role of Token: RoleSuper or RoleReadOnly.
	AdminRole string
	// Tokens are additional SSWS tokens, each with its own role.
	Tokens []APIToken

	// OAuth is the OAuth 2.0 service app (client credentials + private_key_jwt).
	OAuth OAuthOptions

	// RateLimits are the per-bucket limits, the per-client share and the
	// concurrency limit.
	RateLimits RateLimitOptions

	// Faults are injected at start; PUT /_sim/faults changes them at run time.
	Faults FaultOptions

	// RecordRequests keeps the last RecordRequests requests (arrival, bucket, status,
	// announced reset) for GET /_sim/requests; 0 records nothing.
	RecordRequests int
}

// APIToken is one SSWS token the simulated org accepts.
type APIToken struct {
	// Value is the secret sent after "SSWS ".
	Value string
	// Role is RoleSuper or RoleReadOnly.
	Role string
	// Name identifies the token as a rate-limit client and in stats; it
	// never contains the secret. Empty: "token-<n>".
	Name string
}

// OAuthOptions configures the one OAuth 2.0 service app of the org.
// OAuth is enabled when a public key is configured (PublicKey,
// PublicKeyPEM or PublicKeyFile) or when GenerateKeyFile asks for a fresh
// key pair; otherwise POST /oauth2/v1/token answers invalid_client.
type OAuthOptions struct {
	// ClientID is the app's client id: the assertion's iss and sub.
	ClientID string
	// PublicKey verifies client assertions (tests pass it directly).
	PublicKey *rsa.PublicKey
	// PublicKeyPEM is a PEM "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1),
	// "CERTIFICATE", or a JSON Web Key of an RSA key.
	PublicKeyPEM []byte
	// PublicKeyFile is a file holding what PublicKeyPEM may hold.
	PublicKeyFile string
	// GenerateKeyFile, when no public key is given, makes the simulator
	// generate an RSA key pair at start and write the private key there
	// (PKCS#1 "RSA PRIVATE KEY", what okta-sdk-golang v2 requires).
	GenerateKeyFile string
	// Role is the admin role assigned to the app: RoleSuper or RoleReadOnly.
	Role string
	// GrantedScopes are the Okta API scopes granted to the app; empty means
	// every scope the simulator knows.
	GrantedScopes []string
	// TokenTTL is the access token lifetime (Okta: fixed one hour).
	TokenTTL time.Duration
	// DPoP requires DPoP-bound access tokens (RFC 9449): a DPoP proof on the
	// token request (with a server nonce) and on every API call.
	DPoP bool
	// DPoPResourceNonce (with DPoP) makes the resource server demand a nonce of its
	// own in API call proofs: a proof without one, or with an unknown or expired one,
	// gets 401 WWW-Authenticate DPoP error="use_dpop_nonce" and a DPoP-Nonce header.
	DPoPResourceNonce bool
	// DPoPNonceLifetime is how long a DPoP nonce of either server is accepted;
	// a proof with an older one gets use_dpop_nonce and a fresh nonce.
	DPoPNonceLifetime time.Duration
}

// DefaultPlatformOptions returns the defaults of the demo org: the demo
// token as Super Admin, OAuth off until a key is configured, Workforce rate
// limits with a 50 % per-client share and 75 concurrent requests, no faults.
func DefaultPlatformOptions() PlatformOptions {
	return PlatformOptions{
		Token:     DefaultDemoToken,
		AdminRole: RoleSuper,
		OAuth: OAuthOptions{
			ClientID:          DefaultOAuthClientID,
			Role:              RoleSuper,
			DPoPResourceNonce: true,
			TokenTTL:          time.Hour,
			DPoPNonceLifetime: 5 * time.Minute,
		},
		RateLimits: DefaultRateLimitOptions(),
	}
}

// validRole reports whether role is one of the simulated admin roles.
func validRole(role string) bool { return role == RoleSuper || role == RoleReadOnly }

// validate checks every field and names the first bad one.
func (o *PlatformOptions) validate() error {
	var errs []error
	if o.Token != "" && !validRole(o.AdminRole) {
		errs = append(errs, fmt.Errorf("admin role %q: want %q or %q", o.AdminRole, RoleSuper, RoleReadOnly))
	}
	seen := map[string]bool{o.Token: o.Token != ""}
	for i, t := range o.Tokens {
		switch {
		case t.Value == "":
			errs = append(errs, fmt.Errorf("tokens[%d]: empty value", i))
		case seen[t.Value]:
			errs = append(errs, fmt.Errorf("tokens[%d] (%s): duplicate token", i, t.Name))
		case !validRole(t.Role):
			errs = append(errs, fmt.Errorf("tokens[%d] (%s): role %q: want %q or %q", i, t.Name, t.Role, RoleSuper, RoleReadOnly))
		}
		seen[t.Value] = true
	}
	if o.OAuth.ClientID == "" {
		errs = append(errs, errors.New("oauth client id: empty"))
	}
	if !validRole(o.OAuth.Role) {
		errs = append(errs, fmt.Errorf("oauth admin role %q: want %q or %q", o.OAuth.Role, RoleSuper, RoleReadOnly))
	}
	if o.OAuth.DPoP && o.OAuth.DPoPNonceLifetime <= 0 {
		errs = append(errs, fmt.Errorf("dpop nonce lifetime %s: must be positive", o.OAuth.DPoPNonceLifetime))
	}
	if o.OAuth.TokenTTL <= 0 {
		errs = append(errs, fmt.Errorf("oauth token ttl %s: must be positive", o.OAuth.TokenTTL))
	}
	for _, s := range o.OAuth.GrantedScopes {
		if !knownScope(s) {
			errs = append(errs, fmt.Errorf("oauth granted scope %q: unknown scope", s))
		}
	}
	if err := o.RateLimits.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := o.Faults.validate(); err != nil {
		errs = append(errs, err)
	}
	if o.RecordRequests < 0 {
		errs = append(errs, fmt.Errorf("record requests %d: must not be negative", o.RecordRequests))
	}
	return errors.Join(errs...)
}

// parseTokenList parses "value:role,value:role" (role optional, default
// super) as given to the --tokens flag.
func parseTokenList(s string) ([]APIToken, error) {
	var out []APIToken
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		value, role, _ := strings.Cut(item, ":")
		if role == "" {
			role = RoleSuper
		}
		if value == "" {
			return nil, fmt.Errorf("token %d: empty value", i+1)
		}
		if !validRole(role) {
			return nil, fmt.Errorf("token %d: role %q: want %q or %q", i+1, role, RoleSuper, RoleReadOnly)
		}
		out = append(out, APIToken{Value: value, Role: role})
	}
	return out, nil
}
