package oktasim

import (
	"net/http"
	"strings"
)

// Rate-limit bucket names. The per-minute defaults are the Workforce
// Identity column of Okta's last published management limits table.
const (
	BucketApps         = "apps"          // /api/v1/apps and /api/v1/apps/* (not /apps/{id} exact)
	BucketAppByID      = "app_by_id"     // /api/v1/apps/{id} exact
	BucketGroups       = "groups"        // /api/v1/groups and /api/v1/groups/* (not /groups/{id} exact)
	BucketGroupByID    = "group_by_id"   // /api/v1/groups/{id} exact
	BucketUsers        = "users"         // GET/POST /api/v1/users
	BucketUserByID     = "user_by_id"    // GET /api/v1/users/{idOrLogin} exact
	BucketUserWrite    = "user_write"    // POST/PUT/DELETE /api/v1/users/{id} exact
	BucketLogs         = "logs"          // /api/v1/logs
	BucketDevices      = "devices"       // /api/v1/devices
	BucketOAuthClients = "oauth_clients" // /oauth2/v1/clients
	BucketDefault      = "api_v1"        // everything else under /api/v1 (and the other management roots)
)

// DefaultBucketLimits returns the per-minute limit of every bucket.
func DefaultBucketLimits() map[string]int {
	return map[string]int{
		BucketApps:         100,
		BucketAppByID:      500,
		BucketGroups:       500,
		BucketGroupByID:    1000,
		BucketUsers:        600,
		BucketUserByID:     2000,
		BucketUserWrite:    600,
		BucketLogs:         120,
		BucketDevices:      100,
		BucketOAuthClients: 100,
		BucketDefault:      1200,
	}
}

// managementPath reports whether path is a management API path: one that
// needs an Okta token, is rate-limited, and may get injected faults.
// The token endpoint and /.well-known are not management paths.
func managementPath(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") || path == "/api/v1" ||
		strings.HasPrefix(path, "/oauth2/v1/clients") ||
		strings.HasPrefix(path, "/attack-protection/api/") ||
		strings.HasPrefix(path, "/integrations/api/")
}

// bucketFor returns the rate-limit bucket of a management request.
func bucketFor(method, path string) string {
	if strings.HasPrefix(path, "/oauth2/v1/clients") {
		return BucketOAuthClients
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return BucketDefault
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	switch segs[0] {
	case "apps":
		if len(segs) == 2 {
			return BucketAppByID
		}
		return BucketApps
	case "groups":
		if len(segs) == 2 && segs[1] != "rules" {
			return BucketGroupByID
		}
		return BucketGroups
	case "users":
		switch {
		case len(segs) == 1:
			return BucketUsers
		case len(segs) == 2 && (method == http.MethodGet || method == http.MethodHead):
			return BucketUserByID
		case len(segs) == 2:
			return BucketUserWrite
		}
	case "logs":
		return BucketLogs
	case "devices":
		return BucketDevices
	}
	return BucketDefault
}

// pathTemplate turns a concrete path into its class for stats:
// "/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors" → "/api/v1/users/{id}/factors".
// A segment counts as an id when it holds a digit, '@' or '.', or is a
// 20-character Okta id; literal segments such as "rules" or "oktaSupport"
// stay. The /api/v1 and /oauth2/v1 prefixes are kept verbatim.
func pathTemplate(path string) string {
	prefix := ""
	for _, p := range []string{"/api/v1", "/oauth2/v1", "/attack-protection/api/v1", "/integrations/api/v1"} {
		if strings.HasPrefix(path, p+"/") || path == p {
			prefix = p
			break
		}
	}
	if prefix == "" {
		return path
	}
	segs := strings.Split(strings.TrimPrefix(path, prefix), "/")
	for i, s := range segs {
		if looksLikeID(s) {
			segs[i] = "{id}"
		}
	}
	return prefix + strings.Join(segs, "/")
}

func looksLikeID(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsAny(s, "0123456789@.") {
		return true
	}
	if len(s) != 20 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	// 20 letters: an id unless it is camelCase-looking English; real Okta ids
	// mix case randomly, so require at least two upper/lower transitions.
	transitions := 0
	for i := 1; i < len(s); i++ {
		if (s[i] >= 'A' && s[i] <= 'Z') != (s[i-1] >= 'A' && s[i-1] <= 'Z') {
			transitions++
		}
	}
	return transitions >= 4
}
