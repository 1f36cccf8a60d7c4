package oktareceiver

import (
	"strings"
	"time"
)

// refetchRule maps the event types that start with prefix to the refetches they call for.
type refetchRule struct {
	prefix string
	tasks  func(ev systemLogEventRef, add func(t refetchTask))
}

// refetchRules: the first rule whose prefix matches an eventType applies (so the more
// specific prefixes come first).
var refetchRules = []refetchRule{
	{"group.user_membership.", func(ev systemLogEventRef, add func(refetchTask)) {
		group, user := ev.targetID("UserGroup"), ev.targetID("User")
		if group != "" && user != "" {
			add(refetchTask{typ: resGroupMembership, id: user, groupID: group,
				memberRemoved: strings.HasSuffix(ev.eventType, ".remove")})
		}
		add(refetchTask{typ: resGroup, id: group})
	}},
	{"user.mfa.factor.", func(ev systemLogEventRef, add func(refetchTask)) {
		user := ev.targetID("User")
		if user == "" {
			user = ev.actorID
		}
		add(refetchTask{typ: resUserFactor, id: user, children: true})
	}},
	{"user.lifecycle.", byTarget(resUser, "User", false)},
	{"user.account.", byTarget(resUser, "User", false)},
	{"group.lifecycle.", byTarget(resGroup, "UserGroup", false)},
	{"group.profile.", byTarget(resGroup, "UserGroup", false)},
	{"application.user_membership.", byTarget(resApplicationUser, "AppInstance", true)},
	{"application.", byTarget(resApplication, "AppInstance", false)},
	{"policy.rule.", byTarget(resPolicyRule, "PolicyEntity", true)},
	{"policy.", byTarget(resPolicy, "PolicyEntity", false)},
	{"zone.", byTarget(resNetworkZone, "NetworkZone", false)},
	{"system.api_token.", byTarget(resAPIToken, "Token", false)},
}

// byTarget refetches the object of type typ named by the event's first target of targetType
// (or, with children, the child list under it).
func byTarget(typ, targetType string, children bool) func(systemLogEventRef, func(refetchTask)) {
	return func(ev systemLogEventRef, add func(refetchTask)) {
		add(refetchTask{typ: typ, id: ev.targetID(targetType), children: children})
	}
}

// refetchRuleFor returns the rule for eventType, or nil.
func refetchRuleFor(eventType string) *refetchRule {
	for i := range refetchRules {
		if strings.HasPrefix(eventType, refetchRules[i].prefix) {
			return &refetchRules[i]
		}
	}
	return nil
}

// refetchRelevant reports whether an event of this type can call for a refetch.
func refetchRelevant(eventType string) bool { return refetchRuleFor(eventType) != nil }

// refetchTasksFor maps one System Log event to the refetches it calls for, each carrying
// the event's uuid. The ids are copies: the tasks outlive the event's page. An event without a published time counts as
// published now (so it is never skipped as older than a listing that preceded it).
func refetchTasksFor(ev systemLogEventRef, trigger string) []refetchTask {
	rule := refetchRuleFor(ev.eventType)
	if rule == nil {
		return nil
	}
	published := ev.published
	if published.IsZero() {
		published = time.Now()
	}
	var out []refetchTask
	uuid := ""
	rule.tasks(ev, func(t refetchTask) {
		if t.id == "" {
			return
		}
		if uuid == "" {
			uuid = strings.Clone(ev.uuid)
		}
		t.id, t.groupID, t.trigger, t.published, t.eventUUID = strings.Clone(t.id), strings.Clone(t.groupID), trigger, published, uuid
		out = append(out, t)
	})
	return out
}
