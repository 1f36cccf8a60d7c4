package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"fmt"
	"slices"
	"strings"
)

// resourceTypes are the values of okta.resource.type that the okta receiver writes on inventory
// records: the only values a rule's applies_to.resource_types (or a match on the attribute) can
// usefully name. The processor does not import the receiver, so it keeps its own copy; a test of
// the distribution checks that both lists are equal.
var resourceTypes = []string{
	"org", "okta_support", "threat_insight", "feature",
	"user_type", "user", "user_factor",
	"group", "group_membership", "group_rule",
	"application", "application_user", "application_group",
	"policy", "policy_rule", "authenticator",
	"authorization_server", "identity_provider", "network_zone", "trusted_origin",
	"admin_role_assignment", "api_token", "event_hook", "log_stream",
}

// ResourceTypes returns the okta.resource.type values that rules can apply to (a copy).
func ResourceTypes() []string { return slices.Clone(resourceTypes) }

// checkResourceType reports a value that is not a resource type, with the nearest valid name
// and the valid list.
func checkResourceType(field, value string) error {
	if slices.Contains(resourceTypes, value) {
		return nil
	}
	return fmt.Errorf("%s: unknown resource type %q%s; valid types: %s",
		field, value, didYouMean(value, resourceTypes), strings.Join(resourceTypes, ", "))
}
