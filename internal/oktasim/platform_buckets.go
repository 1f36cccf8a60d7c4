package oktasim

import (
	"fmt"
	"strings"
)

// Names of Okta's org-wide rate-limit buckets. The per-minute defaults are the Workforce
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

// DefaultBucketLimits returns the per-minute limit of every org-wide bucket.
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

// bucketRule sends the requests whose path template matches pattern (and whose method is
// in methods, when set) to bucket. A pattern is a path template ({id} stands for one id
// segment, see pathTemplate); one ending in "/*" matches its own path and every path
// below it.
type bucketRule struct {
	bucket  string
	pattern string
	methods []string
}

// orgBucketRules is the org-wide part of Okta's bucket table, first match first. A
// request no rule matches counts against BucketDefault. Endpoint-specific buckets
// (RateLimitOptions.Endpoints) are looked up before these.
var orgBucketRules = []bucketRule{
	{bucket: BucketOAuthClients, pattern: "/oauth2/v1/clients/*"},
	{bucket: BucketAppByID, pattern: "/api/v1/apps/{id}"},
	{bucket: BucketApps, pattern: "/api/v1/apps/*"},
	{bucket: BucketGroupByID, pattern: "/api/v1/groups/{id}"},
	{bucket: BucketGroups, pattern: "/api/v1/groups/*"},
	{bucket: BucketUsers, pattern: "/api/v1/users"},
	{bucket: BucketUserByID, pattern: "/api/v1/users/{id}", methods: []string{"GET", "HEAD"}},
	{bucket: BucketUserWrite, pattern: "/api/v1/users/{id}"},
	{bucket: BucketLogs, pattern: "/api/v1/logs/*"},
	{bucket: BucketDevices, pattern: "/api/v1/devices/*"},
}

func (b bucketRule) matches(method, template string) bool {
	if len(b.methods) > 0 && !containsString(b.methods, method) {
		return false
	}
	if prefix, ok := strings.CutSuffix(b.pattern, "/*"); ok {
		return template == prefix || strings.HasPrefix(template, prefix+"/")
	}
	return template == b.pattern
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// bucketOf returns the rate-limit bucket of a management request: the endpoint-specific
// bucket named by its path template when one is configured (endpoints), else the first
// org-wide rule that matches, else BucketDefault.
func bucketOf(endpoints map[string]int, method, path string) string {
	tpl := pathTemplate(path)
	if _, ok := endpoints[tpl]; ok {
		return tpl
	}
	for _, rule := range orgBucketRules {
		if rule.matches(method, tpl) {
			return rule.bucket
		}
	}
	return BucketDefault
}

// validEndpointTemplate checks an endpoint-specific bucket's template: an absolute path
// whose id segments are written {id}.
func validEndpointTemplate(tpl string) error {
	if !strings.HasPrefix(tpl, "/") || strings.ContainsAny(tpl, "?# ") || strings.HasSuffix(tpl, "/") {
		return fmt.Errorf("endpoint bucket %q: want a path template such as /api/v1/apps/{id}/users", tpl)
	}
	if pathTemplate(tpl) != tpl {
		return fmt.Errorf("endpoint bucket %q: write id segments as {id} (the template of this path is %q)", tpl, pathTemplate(tpl))
	}
	return nil
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

// pathTemplate turns a concrete path into its class for stats and buckets:
// "/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors" → "/api/v1/users/{id}/factors".
// A segment counts as an id when it holds a digit, '@' or '.', or is a
// 20-character Okta id; literal segments such as "rules" or "oktaSupport"
// stay, and so does "{id}" itself. The /api/v1 and /oauth2/v1 prefixes are kept verbatim.
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
	if s == "" || s == "{id}" {
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
