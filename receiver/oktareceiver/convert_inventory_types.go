package oktareceiver

import "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"

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
		id:          resource.Path("id").Text(obj),
		name:        resource.Path("name").Text(obj),
		status:      resource.Path("status").Text(obj),
		lastUpdated: resource.Path("lastUpdated").Text(obj),
		body:        obj,
	}
	var meta objectMeta
	switch typ {
	case resUser:
		rec.name = resource.Path("profile.login").Text(obj)
		meta.dim = rec.status
	case resUserFactor:
		rec.name = resource.Path("factorType").Text(obj)
		rec.parents = [][2]string{{attrUserID, p.id}}
		meta.dim = resource.Path("factorType").Text(obj) + "\x00" + rec.status
		meta.parent = p.id
	case resGroup:
		rec.name = resource.Path("profile.name").Text(obj)
		rec.parents = [][2]string{{attrGroupID, rec.id}}
		meta.dim = resource.Path("type").Text(obj)
		meta.value = num(obj, "_embedded", "stats", "usersCount")
	case resGroupMembership:
		userID := rec.id
		rec.id = p.id + "/" + userID
		rec.name = resource.Path("profile.login").Text(obj)
		rec.parents = [][2]string{{attrGroupID, p.id}, {attrUserID, userID}}
		meta.dim = rec.status
		meta.parent = p.id
	case resGroupRule:
		meta.dim = rec.status
	case resApplication:
		rec.name = resource.Path("label").Text(obj)
		rec.parents = [][2]string{{attrApplicationID, rec.id}}
		meta.dim = rec.status + "\x00" + resource.Path("signOnMode").Text(obj)
	case resApplicationUser:
		userID := rec.id
		rec.id = p.id + "/" + userID
		rec.name = resource.Path("credentials.userName").Text(obj)
		rec.parents = [][2]string{{attrApplicationID, p.id}, {attrUserID, userID}}
		meta.dim = rec.status
		meta.parent = p.id
	case resApplicationGroup:
		groupID := rec.id
		rec.id = p.id + "/" + groupID
		rec.name = resource.Path("_embedded.group.profile.name").Text(obj)
		rec.parents = [][2]string{{attrApplicationID, p.id}, {attrGroupID, groupID}}
		meta.parent = p.id
	case resPolicy:
		rec.parents = [][2]string{{attrPolicyID, rec.id}, {attrPolicyType, resource.Path("type").Text(obj)}}
		meta.dim = resource.Path("type").Text(obj) + "\x00" + rec.status
	case resPolicyRule:
		rec.parents = [][2]string{{attrPolicyID, p.id}, {attrPolicyType, p.policyType}}
		meta.dim = rec.status
		meta.parent = p.id
	case resAdminRoleAssignment:
		// p.id is the principal (user or group); the assignment id is only unique per principal.
		rec.id = p.id + "/" + rec.id
		rec.name = resource.Path("label").Text(obj)
		if p.principal == "group" {
			rec.parents = [][2]string{{attrGroupID, p.id}}
		} else {
			rec.parents = [][2]string{{attrUserID, p.id}}
		}
		meta.dim = resource.Path("type").Text(obj)
		meta.parent = p.id
	case resAuthenticator, resAuthorizationServer, resIdentityProvider, resNetworkZone,
		resTrustedOrigin, resUserType, resEventHook, resLogStream, resFeature:
		// id, name, status, lastUpdated as above
	case resAPIToken:
		rec.parents = [][2]string{{attrUserID, resource.Path("userId").Text(obj)}}
	case resOrg:
		rec.name = resource.Path("companyName").Text(obj)
		if rec.id == "" {
			rec.id = orgID
		}
	case resOktaSupport:
		rec.id = orgID
		rec.status = resource.Path("support").Text(obj)
	case resThreatInsight:
		rec.id = orgID
		rec.status = resource.Path("action").Text(obj)
	}
	meta.name = rec.name
	return rec, meta
}
