package oktareceiver

import "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"

// Names of the resource types the inventory code refers to by name: the values of
// okta.resource.type and the keys of inventory.resources, as the resource table defines them.
const (
	resUser                = string(resource.User)
	resGroup               = string(resource.Group)
	resGroupMembership     = string(resource.GroupMembership)
	resGroupRule           = string(resource.GroupRule)
	resApplication         = string(resource.Application)
	resApplicationUser     = string(resource.ApplicationUser)
	resApplicationGroup    = string(resource.ApplicationGroup)
	resPolicy              = string(resource.Policy)
	resPolicyRule          = string(resource.PolicyRule)
	resUserFactor          = string(resource.UserFactor)
	resAuthenticator       = string(resource.Authenticator)
	resAuthorizationServer = string(resource.AuthorizationServer)
	resIdentityProvider    = string(resource.IdentityProvider)
	resNetworkZone         = string(resource.NetworkZone)
	resTrustedOrigin       = string(resource.TrustedOrigin)
	resUserType            = string(resource.UserType)
	resAdminRoleAssignment = string(resource.AdminRoleAssignment)
	resAPIToken            = string(resource.APIToken)
	resEventHook           = string(resource.EventHook)
	resLogStream           = string(resource.LogStream)
	resOrg                 = string(resource.Org)
	resOktaSupport         = string(resource.OktaSupport)
	resFeature             = string(resource.Feature)
	resThreatInsight       = string(resource.ThreatInsight)
)

// allResourceTypes lists every resource type in the order a full sync visits them (the
// table's order: the org first, it yields the org id; parents before their children).
var allResourceTypes = func() []string {
	types := resource.Types()
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}()

// isResourceType reports whether name is a resource type of the table.
func isResourceType(name string) bool { return resource.Lookup(resource.Type(name)) != nil }

// defaultEnabled reports whether resource type name is collected when the configuration does
// not say (the table's DefaultDisabled: group memberships are one request per group and one
// record per (group, user) pair).
func defaultEnabled(name string) bool {
	spec := resource.Lookup(resource.Type(name))
	return spec != nil && !spec.DefaultDisabled
}
