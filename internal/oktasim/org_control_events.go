package oktasim

// orgEventTypes are the System Log event types a control-API mutation of a
// resource type emits (event-types-by-resource): create, update, delete.
// "" means the catalog has no event for that change (group rule CRUD,
// user types, org settings), so none is emitted.
var orgEventTypes = map[string][3]string{
	typeUser:             {"user.lifecycle.create", "user.account.update_profile", "user.lifecycle.delete.initiated"},
	typeGroup:            {"group.lifecycle.create", "group.profile.update", "group.lifecycle.delete"},
	typeGroupMembership:  {"group.user_membership.add", "", "group.user_membership.remove"},
	typeGroupRule:        {"", "", ""},
	typeApplication:      {"application.lifecycle.create", "application.lifecycle.update", "application.lifecycle.delete"},
	typeApplicationUser:  {"application.user_membership.add", "application.user_membership.update", "application.user_membership.remove"},
	typeApplicationGroup: {"group.application_assignment.add", "group.application_assignment.update", "group.application_assignment.remove"},
	typePolicy:           {"policy.lifecycle.create", "policy.lifecycle.update", "policy.lifecycle.delete"},
	typePolicyRule:       {"policy.rule.add", "policy.rule.update", "policy.rule.delete"},
	typeUserFactor:       {"user.mfa.factor.activate", "user.mfa.factor.update", "user.mfa.factor.deactivate"},
	typeAuthenticator:    {"security.authenticator.lifecycle.create", "security.authenticator.lifecycle.update", "security.authenticator.lifecycle.deactivate"},
	typeAuthServer:       {"oauth2.as.created", "oauth2.as.updated", "oauth2.as.deleted"},
	typeIdentityProvider: {"system.idp.lifecycle.create", "system.idp.lifecycle.update", "system.idp.lifecycle.delete"},
	typeNetworkZone:      {"zone.create", "zone.update", "zone.delete"},
	typeTrustedOrigin:    {"security.trusted_origin.create", "security.trusted_origin.update", "security.trusted_origin.delete"},
	typeUserType:         {"", "", ""},
	typeAdminRole:        {"user.account.privilege.grant", "", "user.account.privilege.revoke"},
	typeAPIToken:         {"system.api_token.create", "system.api_token.update", "system.api_token.revoke"},
	typeEventHook:        {"event_hook.created", "event_hook.updated", "event_hook.deleted"},
	typeLogStream:        {"system.log_stream.lifecycle.create", "system.log_stream.lifecycle.update", "system.log_stream.lifecycle.delete"},
	typeOrg:              {"", "", ""},
	typeOktaSupport:      {"", "support.org.update", ""},
	typeFeature:          {"", "", ""},
	typeThreatInsight:    {"", "security.threat.configuration.update", ""},
}

// orgStatusEvent is the event type of a status change, when the catalog
// has a more precise one than the type's update event.
func orgStatusEvent(typ, from, to string) string {
	switch typ {
	case typeUser:
		switch {
		case to == "DEPROVISIONED":
			return "user.lifecycle.deactivate"
		case to == "SUSPENDED":
			return "user.lifecycle.suspend"
		case from == "SUSPENDED" && to == "ACTIVE":
			return "user.lifecycle.unsuspend"
		case to == "LOCKED_OUT":
			return "user.account.lock"
		case from == "LOCKED_OUT" && to == "ACTIVE":
			return "user.account.unlock_by_admin"
		case to == "PASSWORD_EXPIRED":
			return "user.account.expire_password"
		case from == "DEPROVISIONED":
			return "user.lifecycle.reactivate"
		case to == "ACTIVE":
			return "user.lifecycle.activate"
		}
	case typeApplication:
		return map[string]string{"ACTIVE": "application.lifecycle.activate", "INACTIVE": "application.lifecycle.deactivate"}[to]
	case typePolicy:
		return map[string]string{"ACTIVE": "policy.lifecycle.activate", "INACTIVE": "policy.lifecycle.deactivate"}[to]
	case typePolicyRule:
		return map[string]string{"ACTIVE": "policy.rule.activate", "INACTIVE": "policy.rule.deactivate"}[to]
	case typeUserFactor:
		return map[string]string{"ACTIVE": "user.mfa.factor.activate", "INACTIVE": "user.mfa.factor.deactivate"}[to]
	case typeNetworkZone:
		return map[string]string{"ACTIVE": "zone.activate", "INACTIVE": "zone.deactivate"}[to]
	case typeAuthenticator:
		return map[string]string{"ACTIVE": "security.authenticator.lifecycle.activate", "INACTIVE": "security.authenticator.lifecycle.deactivate"}[to]
	case typeAuthServer:
		return map[string]string{"ACTIVE": "oauth2.as.activated", "INACTIVE": "oauth2.as.deactivated"}[to]
	case typeIdentityProvider:
		return map[string]string{"ACTIVE": "system.idp.lifecycle.activate", "INACTIVE": "system.idp.lifecycle.deactivate"}[to]
	case typeTrustedOrigin:
		return map[string]string{"ACTIVE": "security.trusted_origin.activate", "INACTIVE": "security.trusted_origin.deactivate"}[to]
	case typeEventHook:
		return map[string]string{"ACTIVE": "event_hook.activated", "INACTIVE": "event_hook.deactivated"}[to]
	case typeLogStream:
		return map[string]string{"ACTIVE": "system.log_stream.lifecycle.activate", "INACTIVE": "system.log_stream.lifecycle.deactivate"}[to]
	case typeFeature:
		return map[string]string{"ENABLED": "system.feature.enable", "DISABLED": "system.feature.disable"}[to]
	case typeAPIToken:
		return map[string]string{"ACTIVE": "system.api_token.enable"}[to]
	}
	return ""
}

// orgTargetType is the System Log target type of a resource type.
var orgTargetType = map[string]string{
	typeUser: "User", typeGroup: "UserGroup", typeGroupRule: "GroupRule", typeApplication: "AppInstance",
	typePolicy: "PolicyEntity", typePolicyRule: "PolicyRule", typeUserFactor: "AuthenticatorEnrollment",
	typeAuthenticator: "Authenticator", typeAuthServer: "AuthorizationServer", typeIdentityProvider: "IdentityProvider",
	typeNetworkZone: "NetworkZone", typeTrustedOrigin: "TrustedOrigin", typeUserType: "UserType",
	typeAPIToken: "Token", typeEventHook: "EventHook", typeLogStream: "LogStream", typeOrg: "Org",
	typeOktaSupport: "OktaSupport", typeFeature: "Feature", typeThreatInsight: "ThreatInsightConfiguration",
}

// orgEventTargets names the objects an event about obj points at (callers
// hold mu): relations name both ends, rules their policy, factors their user.
func (o *orgStore) orgEventTargets(typ string, obj *orgObj) []EventTarget {
	t := func(otyp string, id string) EventTarget {
		c := o.cols[otyp]
		if x := c.byID[id]; x != nil {
			return EventTarget{ID: id, Type: orgTargetType[otyp], AlternateID: x.name, DisplayName: x.name}
		}
		return EventTarget{ID: id, Type: orgTargetType[otyp]}
	}
	self := EventTarget{ID: obj.key(), Type: orgTargetType[typ], AlternateID: obj.name, DisplayName: obj.name}
	switch typ {
	case typeGroupMembership:
		return []EventTarget{t(typeUser, obj.ref), t(typeGroup, obj.parent)}
	case typeApplicationUser:
		return []EventTarget{t(typeUser, obj.ref), t(typeApplication, obj.parent)}
	case typeApplicationGroup:
		return []EventTarget{t(typeApplication, obj.parent), t(typeGroup, obj.ref)}
	case typePolicyRule:
		return []EventTarget{t(typePolicy, obj.parent), self}
	case typeUserFactor:
		return []EventTarget{t(typeUser, obj.parent), {ID: obj.id, Type: "AuthenticatorEnrollment", AlternateID: obj.kind, DisplayName: obj.kind}}
	case typeAdminRole:
		if o.cols[typeGroup].byID[obj.parent] != nil {
			return []EventTarget{t(typeGroup, obj.parent), {ID: obj.ref, Type: "ROLE", AlternateID: obj.kind, DisplayName: obj.name}}
		}
		return []EventTarget{t(typeUser, obj.parent), {ID: obj.ref, Type: "ROLE", AlternateID: obj.kind, DisplayName: obj.name}}
	case typeUser:
		self.DisplayName = obj.name
	}
	return []EventTarget{self}
}
