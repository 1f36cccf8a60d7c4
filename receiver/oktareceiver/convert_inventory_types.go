package oktareceiver

// parentRef names the object whose sub-list an object came from (a user's factors, an
// app's users, a policy's rules, ...). policyType is set for policies and their rules.
type parentRef struct {
	id         string
	policyType string
	// principal is "user" or "group" for admin role assignments.
	principal string
}

// keepsName lists the types whose names label metrics (group members, app users and
// groups, rules per policy), so the state keeps their names (objectMeta.name).
var keepsName = map[string]bool{resGroup: true, resApplication: true, resPolicy: true}

// describe extracts the record attributes and the state metadata of obj, an object of
// resource type typ as Okta returned it. Objects without an id of their own get the
// composite id of the data contract. The metadata's name is the record's
// okta.resource.name (a group's profile.name, an app's label, a policy's name), which the
// metrics of the types in keepsName carry.
func describe(typ string, obj map[string]any, p parentRef, orgID string) (inventoryRecord, objectMeta) {
	rec := inventoryRecord{
		typ:         typ,
		id:          str(obj, "id"),
		name:        str(obj, "name"),
		status:      str(obj, "status"),
		lastUpdated: str(obj, "lastUpdated"),
		body:        obj,
	}
	var meta objectMeta
	switch typ {
	case resUser:
		rec.name = str(obj, "profile", "login")
		meta.dim = rec.status
	case resUserFactor:
		rec.name = str(obj, "factorType")
		rec.parents = [][2]string{{attrUserID, p.id}}
		meta.dim = str(obj, "factorType") + "\x00" + rec.status
		meta.parent = p.id
	case resGroup:
		rec.name = str(obj, "profile", "name")
		rec.parents = [][2]string{{attrGroupID, rec.id}}
		meta.dim = str(obj, "type")
		meta.value = num(obj, "_embedded", "stats", "usersCount")
	case resGroupMembership:
		userID := rec.id
		rec.id = p.id + "/" + userID
		rec.name = str(obj, "profile", "login")
		rec.parents = [][2]string{{attrGroupID, p.id}, {attrUserID, userID}}
		meta.dim = rec.status
		meta.parent = p.id
	case resGroupRule:
		meta.dim = rec.status
	case resApplication:
		rec.name = str(obj, "label")
		rec.parents = [][2]string{{attrApplicationID, rec.id}}
		meta.dim = rec.status + "\x00" + str(obj, "signOnMode")
	case resApplicationUser:
		userID := rec.id
		rec.id = p.id + "/" + userID
		rec.name = str(obj, "credentials", "userName")
		rec.parents = [][2]string{{attrApplicationID, p.id}, {attrUserID, userID}}
		meta.dim = rec.status
		meta.parent = p.id
	case resApplicationGroup:
		groupID := rec.id
		rec.id = p.id + "/" + groupID
		rec.name = str(obj, "_embedded", "group", "profile", "name")
		rec.parents = [][2]string{{attrApplicationID, p.id}, {attrGroupID, groupID}}
		meta.parent = p.id
	case resPolicy:
		rec.parents = [][2]string{{attrPolicyID, rec.id}, {attrPolicyType, str(obj, "type")}}
		meta.dim = str(obj, "type") + "\x00" + rec.status
	case resPolicyRule:
		rec.parents = [][2]string{{attrPolicyID, p.id}, {attrPolicyType, p.policyType}}
		meta.dim = rec.status
		meta.parent = p.id
	case resAdminRoleAssignment:
		// p.id is the principal (user or group); the assignment id is only unique per principal.
		rec.id = p.id + "/" + rec.id
		rec.name = str(obj, "label")
		if p.principal == "group" {
			rec.parents = [][2]string{{attrGroupID, p.id}}
		} else {
			rec.parents = [][2]string{{attrUserID, p.id}}
		}
		meta.dim = str(obj, "type")
		meta.parent = p.id
	case resAuthenticator, resAuthorizationServer, resIdentityProvider, resNetworkZone,
		resTrustedOrigin, resUserType, resEventHook, resLogStream, resFeature:
		// id, name, status, lastUpdated as above
	case resAPIToken:
		rec.parents = [][2]string{{attrUserID, str(obj, "userId")}}
	case resOrg:
		rec.name = str(obj, "companyName")
		if rec.id == "" {
			rec.id = orgID
		}
	case resOktaSupport:
		rec.id = orgID
		rec.status = str(obj, "support")
	case resThreatInsight:
		rec.id = orgID
		rec.status = str(obj, "action")
	}
	meta.name = rec.name
	return rec, meta
}
