package systemlog

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
	target := func(typ, id string) EventTarget { return EventTarget{Type: typ, ID: id} }
	cases := []struct {
		name string
		ev   EventRef
		want []resource.Change
	}{
		{"membership add", EventRef{EventType: "group.user_membership.add", Targets: []EventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]resource.Change{{Type: resource.GroupMembership, ID: "00u1", Parent: "00g1"}, {Type: resource.Group, ID: "00g1"}}},
		{"membership remove", EventRef{EventType: "group.user_membership.remove", Targets: []EventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]resource.Change{{Type: resource.GroupMembership, ID: "00u1", Parent: "00g1", Removed: true}, {Type: resource.Group, ID: "00g1"}}},
		{"factor of the target user", EventRef{EventType: "user.mfa.factor.activate", ActorID: "00uActor", Targets: []EventTarget{target("User", "00u2")}},
			[]resource.Change{{Type: resource.UserFactor, ID: "00u2", Children: true}}},
		{"factor of the actor when no user target", EventRef{EventType: "user.mfa.factor.deactivate", ActorID: "00uActor"},
			[]resource.Change{{Type: resource.UserFactor, ID: "00uActor", Children: true}}},
		{"user lifecycle", EventRef{EventType: "user.lifecycle.suspend", Targets: []EventTarget{target("User", "00u3")}},
			[]resource.Change{{Type: resource.User, ID: "00u3"}}},
		{"user account", EventRef{EventType: "user.account.update_profile", Targets: []EventTarget{target("User", "00u4")}},
			[]resource.Change{{Type: resource.User, ID: "00u4"}}},
		{"group profile", EventRef{EventType: "group.profile.update", Targets: []EventTarget{target("UserGroup", "00g2")}},
			[]resource.Change{{Type: resource.Group, ID: "00g2"}}},
		{"app assignment before app", EventRef{EventType: "application.user_membership.add", Targets: []EventTarget{target("User", "00u5"), target("AppInstance", "0oa1")}},
			[]resource.Change{{Type: resource.ApplicationUser, ID: "0oa1", Children: true}}},
		{"app lifecycle", EventRef{EventType: "application.lifecycle.update", Targets: []EventTarget{target("AppInstance", "0oa2")}},
			[]resource.Change{{Type: resource.Application, ID: "0oa2"}}},
		{"policy rule before policy", EventRef{EventType: "policy.rule.update", Targets: []EventTarget{target("PolicyEntity", "00p1"), target("PolicyRule", "0pr1")}},
			[]resource.Change{{Type: resource.PolicyRule, ID: "00p1", Children: true}}},
		{"policy", EventRef{EventType: "policy.lifecycle.update", Targets: []EventTarget{target("PolicyEntity", "00p2")}},
			[]resource.Change{{Type: resource.Policy, ID: "00p2"}}},
		{"zone", EventRef{EventType: "zone.update", Targets: []EventTarget{target("NetworkZone", "nzo1")}},
			[]resource.Change{{Type: resource.NetworkZone, ID: "nzo1"}}},
		{"api token", EventRef{EventType: "system.api_token.revoke", Targets: []EventTarget{target("Token", "00T1")}},
			[]resource.Change{{Type: resource.APIToken, ID: "00T1"}}},
		{"first target of a type wins", EventRef{EventType: "user.lifecycle.activate", Targets: []EventTarget{target("User", ""), target("User", "00u6"), target("User", "00u7")}},
			[]resource.Change{{Type: resource.User, ID: "00u6"}}},
		{"no id, no task", EventRef{EventType: "zone.delete", Targets: []EventTarget{target("User", "00u8")}}, nil},
		{"sign-in names nothing refetchable", EventRef{EventType: "user.session.start", Targets: []EventTarget{target("User", "00u9")}}, nil},
	}
	published := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.Published, tc.ev.UUID = published, "uuid-1"
			for i := range tc.want {
				tc.want[i].Published, tc.want[i].EventUUID = published, "uuid-1"
			}
			assert.Equal(t, tc.want, Changes([]EventRef{tc.ev}))
			_, rule := resource.EventRuleFor(tc.ev.EventType)
			assert.Equal(t, tc.want != nil || tc.name == "no id, no task", rule != nil)
		})
	}
}
