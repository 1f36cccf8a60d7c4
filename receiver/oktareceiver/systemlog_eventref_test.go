package oktareceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// TestEventChangesForEveryRule: each event family maps, by the resource table's event rules,
// to the change of the object it names, the more specific prefix winning; events that name
// nothing of the inventory yield no change.
func TestEventChangesForEveryRule(t *testing.T) {
	target := func(typ, id string) eventTarget { return eventTarget{typ: typ, id: id} }
	cases := []struct {
		name string
		ev   systemLogEventRef
		want []resource.Change
	}{
		{"membership add", systemLogEventRef{eventType: "group.user_membership.add", targets: []eventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]resource.Change{{Type: resource.GroupMembership, ID: "00u1", Parent: "00g1"}, {Type: resource.Group, ID: "00g1"}}},
		{"membership remove", systemLogEventRef{eventType: "group.user_membership.remove", targets: []eventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]resource.Change{{Type: resource.GroupMembership, ID: "00u1", Parent: "00g1", Removed: true}, {Type: resource.Group, ID: "00g1"}}},
		{"factor of the target user", systemLogEventRef{eventType: "user.mfa.factor.activate", actorID: "00uActor", targets: []eventTarget{target("User", "00u2")}},
			[]resource.Change{{Type: resource.UserFactor, ID: "00u2", Children: true}}},
		{"factor of the actor when no user target", systemLogEventRef{eventType: "user.mfa.factor.deactivate", actorID: "00uActor"},
			[]resource.Change{{Type: resource.UserFactor, ID: "00uActor", Children: true}}},
		{"user lifecycle", systemLogEventRef{eventType: "user.lifecycle.suspend", targets: []eventTarget{target("User", "00u3")}},
			[]resource.Change{{Type: resource.User, ID: "00u3"}}},
		{"user account", systemLogEventRef{eventType: "user.account.update_profile", targets: []eventTarget{target("User", "00u4")}},
			[]resource.Change{{Type: resource.User, ID: "00u4"}}},
		{"group profile", systemLogEventRef{eventType: "group.profile.update", targets: []eventTarget{target("UserGroup", "00g2")}},
			[]resource.Change{{Type: resource.Group, ID: "00g2"}}},
		{"app assignment before app", systemLogEventRef{eventType: "application.user_membership.add", targets: []eventTarget{target("User", "00u5"), target("AppInstance", "0oa1")}},
			[]resource.Change{{Type: resource.ApplicationUser, ID: "0oa1", Children: true}}},
		{"app lifecycle", systemLogEventRef{eventType: "application.lifecycle.update", targets: []eventTarget{target("AppInstance", "0oa2")}},
			[]resource.Change{{Type: resource.Application, ID: "0oa2"}}},
		{"policy rule before policy", systemLogEventRef{eventType: "policy.rule.update", targets: []eventTarget{target("PolicyEntity", "00p1"), target("PolicyRule", "0pr1")}},
			[]resource.Change{{Type: resource.PolicyRule, ID: "00p1", Children: true}}},
		{"policy", systemLogEventRef{eventType: "policy.lifecycle.update", targets: []eventTarget{target("PolicyEntity", "00p2")}},
			[]resource.Change{{Type: resource.Policy, ID: "00p2"}}},
		{"zone", systemLogEventRef{eventType: "zone.update", targets: []eventTarget{target("NetworkZone", "nzo1")}},
			[]resource.Change{{Type: resource.NetworkZone, ID: "nzo1"}}},
		{"api token", systemLogEventRef{eventType: "system.api_token.revoke", targets: []eventTarget{target("Token", "00T1")}},
			[]resource.Change{{Type: resource.APIToken, ID: "00T1"}}},
		{"first target of a type wins", systemLogEventRef{eventType: "user.lifecycle.activate", targets: []eventTarget{target("User", ""), target("User", "00u6"), target("User", "00u7")}},
			[]resource.Change{{Type: resource.User, ID: "00u6"}}},
		{"no id, no task", systemLogEventRef{eventType: "zone.delete", targets: []eventTarget{target("User", "00u8")}}, nil},
		{"sign-in names nothing refetchable", systemLogEventRef{eventType: "user.session.start", targets: []eventTarget{target("User", "00u9")}}, nil},
	}
	published := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.published, tc.ev.uuid = published, "uuid-1"
			for i := range tc.want {
				tc.want[i].Published, tc.want[i].EventUUID = published, "uuid-1"
			}
			assert.Equal(t, tc.want, eventChanges([]systemLogEventRef{tc.ev}))
			_, rule := resource.EventRuleFor(tc.ev.eventType)
			assert.Equal(t, tc.want != nil || tc.name == "no id, no task", rule != nil)
		})
	}
}
