package oktareceiver

// Resource types of the data contract (ARCHITECTURE §4). The names are the values of
// okta.resource.type and the keys of inventory.resources in the configuration.
const (
	resUser                = "user"
	resGroup               = "group"
	resGroupMembership     = "group_membership"
	resGroupRule           = "group_rule"
	resApplication         = "application"
	resApplicationUser     = "application_user"
	resApplicationGroup    = "application_group"
	resPolicy              = "policy"
	resPolicyRule          = "policy_rule"
	resUserFactor          = "user_factor"
	resAuthenticator       = "authenticator"
	resAuthorizationServer = "authorization_server"
	resIdentityProvider    = "identity_provider"
	resNetworkZone         = "network_zone"
	resTrustedOrigin       = "trusted_origin"
	resUserType            = "user_type"
	resAdminRoleAssignment = "admin_role_assignment"
	resAPIToken            = "api_token"
	resEventHook           = "event_hook"
	resLogStream           = "log_stream"
	resOrg                 = "org"
	resOktaSupport         = "okta_support"
	resFeature             = "feature"
	resThreatInsight       = "threat_insight"
)

// allResourceTypes lists every resource type in the order a full sync visits them:
// the org first (it yields the org id), parents before their children.
var allResourceTypes = []string{
	resOrg, resOktaSupport, resThreatInsight, resFeature,
	resUserType, resUser, resUserFactor,
	resGroup, resGroupMembership, resGroupRule,
	resApplication, resApplicationUser, resApplicationGroup,
	resPolicy, resPolicyRule, resAuthenticator,
	resAuthorizationServer, resIdentityProvider, resNetworkZone, resTrustedOrigin,
	resAdminRoleAssignment, resAPIToken, resEventHook, resLogStream,
}

// defaultDisabledResources are off unless enabled explicitly: group memberships are one
// request per group and one record per (group, user) pair.
var defaultDisabledResources = map[string]bool{resGroupMembership: true}

// isResourceType reports whether name is a resource type of the data contract.
func isResourceType(name string) bool {
	for _, r := range allResourceTypes {
		if r == name {
			return true
		}
	}
	return false
}
