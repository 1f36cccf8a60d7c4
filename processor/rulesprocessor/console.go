package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"net"
	"net/url"
	"strings"
)

// adminConsoleBase derives the Admin Console origin from an org URL: https://acme.okta.com →
// https://acme-admin.okta.com. Loopback and IP hosts (the simulator) and hosts that cannot be
// derived (custom domains) keep the org URL as is. It returns "" for an unparsable URL.
func adminConsoleBase(orgURL string) string {
	u, err := url.Parse(orgURL)
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Hostname()
	if host == "localhost" || net.ParseIP(host) != nil {
		return strings.TrimRight(u.Scheme+"://"+u.Host, "/")
	}
	first, rest, ok := strings.Cut(host, ".")
	if !ok || !isOktaDomain(rest) || strings.HasSuffix(first, "-admin") {
		return u.Scheme + "://" + u.Host
	}
	admin := first + "-admin." + rest
	if p := u.Port(); p != "" {
		admin += ":" + p
	}
	return u.Scheme + "://" + admin
}

// isOktaDomain reports whether a host suffix is one of Okta's cells, where the admin host is <org>-admin.
func isOktaDomain(suffix string) bool {
	switch suffix {
	case "okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil", "trexcloud.com":
		return true
	}
	return false
}

// adminConsolePath is the Admin Console page of a resource (or, for events, of the acting user).
// appName is the application's catalog name (body.name), needed in application URLs.
func adminConsolePath(resourceType, id string, attrs func(string) string, appName string) string {
	switch resourceType {
	case "user":
		return "/admin/user/profile/view/" + url.PathEscape(id)
	case "user_factor":
		return "/admin/user/profile/view/" + url.PathEscape(attrs(attrUserID))
	case "group":
		return "/admin/group/" + url.PathEscape(id)
	case "group_membership":
		return "/admin/group/" + url.PathEscape(attrs(attrGroupID))
	case "group_rule":
		return "/admin/groups#rules"
	case "application":
		if appName == "" {
			return "/admin/apps/active"
		}
		return "/admin/app/" + url.PathEscape(appName) + "/instance/" + url.PathEscape(id) + "/"
	case "application_user", "application_group":
		return "/admin/apps/active"
	case "policy", "policy_rule":
		switch attrs(attrPolicyType) {
		case "ACCESS_POLICY":
			return "/admin/authn/authentication-policies"
		case "PASSWORD", "MFA_ENROLL":
			return "/admin/access/authenticators"
		}
		return "/admin/access/policies"
	case "authenticator":
		return "/admin/access/authenticators"
	case "authorization_server":
		return "/admin/oauth2/as/" + url.PathEscape(id)
	case "identity_provider":
		return "/admin/access/identity-providers"
	case "network_zone", "threat_insight":
		return "/admin/access/networks"
	case "trusted_origin", "api_token":
		return "/admin/access/api/tokens"
	case "user_type":
		return "/admin/universaldirectory"
	case "admin_role_assignment":
		return "/admin/access/admins"
	case "event_hook":
		return "/admin/workflow/eventhooks"
	case "log_stream":
		return "/admin/reports/log-streaming"
	case "org", "okta_support":
		return "/admin/settings/account"
	case "feature":
		return "/admin/settings/features"
	}
	return "/admin/dashboard"
}
