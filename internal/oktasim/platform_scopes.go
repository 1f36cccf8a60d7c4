package oktasim

import (
	"net/http"
	"slices"
	"strings"
)

// scopeRule maps a path pattern to the Okta API scope family it needs
// (".read" for GET/HEAD, ".manage" otherwise; ".manage" also satisfies a
// read). Patterns are segment lists after the root, "*" matching one
// segment; a pattern matches a path that starts with it. Rules are checked
// in order, so specific ones come first. Source: the "security" of each
// operation in Okta's management OpenAPI spec.
type scopeRule struct {
	pattern []string
	family  string // "okta.users" → okta.users.read / okta.users.manage
}

var scopeRules = func() []scopeRule {
	table := []struct{ pattern, family string }{
		{"/api/v1/users/*/roles", "okta.roles"},
		{"/api/v1/groups/*/roles", "okta.roles"},
		{"/api/v1/apps/*/grants", "okta.appGrants"},
		{"/oauth2/v1/clients/*/roles", "okta.roles"},
		{"/api/v1/users", "okta.users"}, // incl. factors, groups, authenticator-enrollments
		{"/api/v1/groups", "okta.groups"},
		{"/api/v1/apps", "okta.apps"},
		{"/api/v1/policies", "okta.policies"},
		{"/api/v1/authenticators", "okta.authenticators"},
		{"/api/v1/authorizationServers", "okta.authorizationServers"},
		{"/api/v1/idps", "okta.idps"},
		{"/api/v1/zones", "okta.networkZones"},
		{"/api/v1/trustedOrigins", "okta.trustedOrigins"},
		{"/api/v1/meta/types/user", "okta.userTypes"},
		{"/api/v1/meta/schemas", "okta.schemas"},
		{"/api/v1/iam", "okta.roles"},
		{"/api/v1/eventHooks", "okta.eventHooks"},
		{"/api/v1/inlineHooks", "okta.inlineHooks"},
		{"/api/v1/logStreams", "okta.logStreams"},
		{"/api/v1/org", "okta.orgs"},
		{"/attack-protection/api/v1", "okta.orgs"},
		{"/api/v1/features", "okta.features"},
		{"/api/v1/threats", "okta.threatInsights"},
		{"/api/v1/api-tokens", "okta.apiTokens"},
		{"/api/v1/logs", "okta.logs"},
		{"/api/v1/devices", "okta.devices"},
		{"/api/v1/device-assurances", "okta.deviceAssurance"},
		{"/api/v1/behaviors", "okta.behaviors"},
		{"/api/v1/domains", "okta.domains"},
		{"/api/v1/brands", "okta.brands"},
		{"/api/v1/sessions", "okta.sessions"},
		{"/api/v1/rate-limit-settings", "okta.rateLimits"},
		{"/api/v1/principal-rate-limits", "okta.principalRateLimits"},
		{"/api/v1/captchas", "okta.captchas"},
		{"/api/v1/realms", "okta.realms"},
		{"/integrations/api/v1/api-services", "okta.oauthIntegrations"},
		{"/oauth2/v1/clients", "okta.clients"},
	}
	rules := make([]scopeRule, len(table))
	for i, t := range table {
		rules[i] = scopeRule{pattern: strings.Split(strings.Trim(t.pattern, "/"), "/"), family: t.family}
	}
	return rules
}()

// knownScopes is every scope the token endpoint grants: ".read" and
// ".manage" of each family in the table.
var knownScopes = func() []string {
	var out []string
	for _, r := range scopeRules {
		for _, s := range []string{r.family + ".read", r.family + ".manage"} {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}()

func knownScope(s string) bool {
	_, found := slices.BinarySearch(knownScopes, s)
	return found
}

// requiredScopes returns the scopes that each allow the request (any one
// suffices), or nil when the path is not in the table (it is then left to
// the route, which usually answers 404).
func requiredScopes(method, path string) []string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range scopeRules {
		if matchSegments(r.pattern, segs) {
			if method == http.MethodGet || method == http.MethodHead {
				return []string{r.family + ".read", r.family + ".manage"}
			}
			return []string{r.family + ".manage"}
		}
	}
	return nil
}

func matchSegments(pattern, segs []string) bool {
	if len(segs) < len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return false
		}
	}
	return true
}

// superAdminOnly lists the endpoints a read-only admin may not call, even
// with GET. Modelling choices, from Okta's docs:
//   - /api/v1/org/privacy/oktaSupport and below: the spec marks every
//     operation SUPER_ADMIN; "grant access to Okta Support" is Super-Admin-only.
//   - /api/v1/logStreams and below: managing log streaming is Super-Admin-only
//     in the Admin Console; the spec says nothing for the list itself, so we
//     choose the stricter reading (the receiver must cope with 403 E0000006).
//   - /api/v1/meta/schemas/logStream and below: the spec marks them SUPER_ADMIN.
//
// Any method other than GET/HEAD/OPTIONS is refused for read-only admins on
// every management path (see allowedForRole).
var superAdminOnly = [][]string{
	{"api", "v1", "org", "privacy", "oktaSupport"},
	{"api", "v1", "logStreams"},
	{"api", "v1", "meta", "schemas", "logStream"},
}

// allowedForRole reports whether an admin with role may make the request.
func allowedForRole(role, method, path string) bool {
	if role == RoleSuper {
		return true
	}
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
		return false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, p := range superAdminOnly {
		if matchSegments(p, segs) {
			return false
		}
	}
	return true
}

// hasAnyScope reports whether granted holds one of want.
func hasAnyScope(granted map[string]bool, want []string) bool {
	for _, w := range want {
		if granted[w] {
			return true
		}
	}
	return false
}
