package oktaapi

import (
	"strings"
)

// endpointTemplate is the rate-limit key of a request: its path with every id segment
// replaced by {id} ("/api/v1/users/00u1a2b3c4d5e6f7g8h9/roles" → "/api/v1/users/{id}/roles").
// The query and a trailing slash are dropped. Okta keeps a bucket per endpoint (and a few
// org-wide ones), so requests for different users' roles count against one limit, and the
// template is what the limiter learns that limit under.
func endpointTemplate(escapedPath string) string {
	if i := strings.IndexAny(escapedPath, "?#"); i >= 0 {
		escapedPath = escapedPath[:i]
	}
	escapedPath = strings.TrimSuffix(escapedPath, "/")
	if escapedPath == "" {
		return "/"
	}
	segs := strings.Split(escapedPath, "/")
	for i, s := range segs {
		if isIDSegment(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// isIDSegment reports whether a path segment names one object rather than an endpoint.
// Okta ids (00u…, 0oa…, aus…) are 20 random letters and digits; logins hold '@' or '.';
// escaped logins hold '%'. Endpoint names are words without digits ("oktaSupport",
// "authorizationServers"; versions such as "v1" and "oauth2", and ".well-known", are
// recognised as words). A 16+ letter
// segment without digits counts as an id when its case flips at least four times, as in
// a random id and unlike a camelCase word.
func isIDSegment(s string) bool {
	if s == "" || s == "oauth2" || strings.HasPrefix(s, ".") || isVersion(s) {
		return false
	}
	if strings.ContainsAny(s, "0123456789@.%") {
		return true
	}
	if len(s) < 16 {
		return false
	}
	flips := 0
	for i := 1; i < len(s); i++ {
		if isUpper(s[i]) != isUpper(s[i-1]) {
			flips++
		}
	}
	return flips >= 4
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// isVersion matches API version segments: "v1", "v2", ...
func isVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
