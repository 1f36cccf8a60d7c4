package oktareceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestRefetchTasksForEveryRule: each event family maps to the refetch of the object it names,
// the more specific prefix winning; events that name nothing refetchable yield no task.
func TestRefetchTasksForEveryRule(t *testing.T) {
	target := func(typ, id string) eventTarget { return eventTarget{typ: typ, id: id} }
	cases := []struct {
		name string
		ev   systemLogEventRef
		want []refetchTask
	}{
		{"membership add", systemLogEventRef{eventType: "group.user_membership.add", targets: []eventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]refetchTask{{typ: resGroupMembership, id: "00u1", groupID: "00g1"}, {typ: resGroup, id: "00g1"}}},
		{"membership remove", systemLogEventRef{eventType: "group.user_membership.remove", targets: []eventTarget{target("User", "00u1"), target("UserGroup", "00g1")}},
			[]refetchTask{{typ: resGroupMembership, id: "00u1", groupID: "00g1", memberRemoved: true}, {typ: resGroup, id: "00g1"}}},
		{"factor of the target user", systemLogEventRef{eventType: "user.mfa.factor.activate", actorID: "00uActor", targets: []eventTarget{target("User", "00u2")}},
			[]refetchTask{{typ: resUserFactor, id: "00u2", children: true}}},
		{"factor of the actor when no user target", systemLogEventRef{eventType: "user.mfa.factor.deactivate", actorID: "00uActor"},
			[]refetchTask{{typ: resUserFactor, id: "00uActor", children: true}}},
		{"user lifecycle", systemLogEventRef{eventType: "user.lifecycle.suspend", targets: []eventTarget{target("User", "00u3")}},
			[]refetchTask{{typ: resUser, id: "00u3"}}},
		{"user account", systemLogEventRef{eventType: "user.account.update_profile", targets: []eventTarget{target("User", "00u4")}},
			[]refetchTask{{typ: resUser, id: "00u4"}}},
		{"group profile", systemLogEventRef{eventType: "group.profile.update", targets: []eventTarget{target("UserGroup", "00g2")}},
			[]refetchTask{{typ: resGroup, id: "00g2"}}},
		{"app assignment before app", systemLogEventRef{eventType: "application.user_membership.add", targets: []eventTarget{target("User", "00u5"), target("AppInstance", "0oa1")}},
			[]refetchTask{{typ: resApplicationUser, id: "0oa1", children: true}}},
		{"app lifecycle", systemLogEventRef{eventType: "application.lifecycle.update", targets: []eventTarget{target("AppInstance", "0oa2")}},
			[]refetchTask{{typ: resApplication, id: "0oa2"}}},
		{"policy rule before policy", systemLogEventRef{eventType: "policy.rule.update", targets: []eventTarget{target("PolicyEntity", "00p1"), target("PolicyRule", "0pr1")}},
			[]refetchTask{{typ: resPolicyRule, id: "00p1", children: true}}},
		{"policy", systemLogEventRef{eventType: "policy.lifecycle.update", targets: []eventTarget{target("PolicyEntity", "00p2")}},
			[]refetchTask{{typ: resPolicy, id: "00p2"}}},
		{"zone", systemLogEventRef{eventType: "zone.update", targets: []eventTarget{target("NetworkZone", "nzo1")}},
			[]refetchTask{{typ: resNetworkZone, id: "nzo1"}}},
		{"api token", systemLogEventRef{eventType: "system.api_token.revoke", targets: []eventTarget{target("Token", "00T1")}},
			[]refetchTask{{typ: resAPIToken, id: "00T1"}}},
		{"first target of a type wins", systemLogEventRef{eventType: "user.lifecycle.activate", targets: []eventTarget{target("User", ""), target("User", "00u6"), target("User", "00u7")}},
			[]refetchTask{{typ: resUser, id: "00u6"}}},
		{"no id, no task", systemLogEventRef{eventType: "zone.delete", targets: []eventTarget{target("User", "00u8")}}, nil},
		{"sign-in names nothing refetchable", systemLogEventRef{eventType: "user.session.start", targets: []eventTarget{target("User", "00u9")}}, nil},
	}
	published := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.ev.published = published
			for i := range tc.want {
				tc.want[i].trigger, tc.want[i].published = triggerEventHook, published
			}
			assert.Equal(t, tc.want, refetchTasksFor(tc.ev, triggerEventHook))
			assert.Equal(t, tc.want != nil || tc.name == "no id, no task", refetchRelevant(tc.ev.eventType))
		})
	}
}

// TestRefetchTaskOfAnEventWithoutPublishedCountsAsNew: an event without a published time is
// treated as published now, so no earlier listing can make its refetch look unnecessary.
func TestRefetchTaskOfAnEventWithoutPublishedCountsAsNew(t *testing.T) {
	before := time.Now()
	tasks := refetchTasksFor(systemLogEventRef{eventType: "user.lifecycle.suspend", targets: []eventTarget{{typ: "User", id: "00u1"}}}, triggerSystemLog)
	if len(tasks) != 1 {
		t.Fatalf("got %d tasks, want 1", len(tasks))
	}
	if tasks[0].published.Before(before) {
		t.Errorf("published = %v, want now (>= %v)", tasks[0].published, before)
	}
}
