package oktasim

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// render appends the JSON of obj (a resource of type typ) to buf, with
// orgURLPlaceholder standing for the org URL. Callers hold o.mu (read).
func (o *orgStore) render(buf []byte, typ string, obj *orgObj) []byte {
	if obj.raw != nil {
		return append(buf, obj.raw...)
	}
	switch typ {
	case typeApplicationUser:
		return append(buf, o.appUserJSON(obj)...)
	case typeApplicationGroup:
		return append(buf, o.appGroupJSON(obj)...)
	case typeUserFactor:
		return append(buf, o.factorJSON(obj)...)
	case typeGroupMembership:
		if u := o.cols[typeUser].byID[obj.ref]; u != nil {
			return append(buf, u.raw...)
		}
		return append(buf, "null"...)
	}
	return append(buf, "{}"...)
}

// renderJSON returns the object's JSON as a fresh slice.
func (o *orgStore) renderJSON(typ string, obj *orgObj) []byte {
	return o.render(nil, typ, obj)
}

func (o *orgStore) appUserJSON(obj *orgObj) []byte {
	userName := ""
	if u := o.cols[typeUser].byID[obj.ref]; u != nil {
		userName = u.name
	}
	links := map[string]any{
		"app":  orgLink("/api/v1/apps/" + obj.parent),
		"user": orgLink("/api/v1/users/" + obj.ref),
	}
	if obj.kind == "GROUP" && obj.name != "" {
		gname := ""
		if g := o.cols[typeGroup].byID[obj.name]; g != nil {
			gname = g.name
		}
		links["group"] = map[string]any{"name": gname, "href": orgURLPlaceholder + "/api/v1/groups/" + obj.name}
	}
	v := map[string]any{
		"id": obj.ref, "created": orgMsTime(obj.created), "lastUpdated": orgMsTime(obj.lastUpdated),
		"scope": obj.kind, "status": obj.status, "statusChanged": orgMsTime(obj.lastUpdated),
		"passwordChanged": nil, "syncState": "DISABLED",
		"credentials": map[string]any{"userName": userName}, "profile": map[string]any{}, "_links": links,
	}
	return orgMustJSON(v)
}

func (o *orgStore) appGroupJSON(obj *orgObj) []byte {
	prio, _ := strconv.Atoi(obj.terms)
	v := map[string]any{
		"id": obj.ref, "lastUpdated": orgMsTime(obj.lastUpdated), "priority": prio, "profile": map[string]any{},
		"_links": map[string]any{
			"app":   orgLink("/api/v1/apps/" + obj.parent),
			"group": orgLink("/api/v1/groups/" + obj.ref),
		},
	}
	return orgMustJSON(v)
}

func (o *orgStore) factorJSON(obj *orgObj) []byte {
	login := ""
	if u := o.cols[typeUser].byID[obj.parent]; u != nil {
		login = u.name
	}
	base := "/api/v1/users/" + obj.parent + "/factors/" + obj.id
	links := map[string]any{
		"self": orgLinkAllow(base, "GET", "DELETE"),
		"user": orgLinkAllow("/api/v1/users/"+obj.parent, "GET"),
	}
	var profile map[string]any
	switch obj.kind {
	case "push", "signed_nonce":
		profile = map[string]any{"credentialId": login, "deviceType": "SmartPhone_IPhone", "keys": []any{},
			"name": "iPhone", "platform": "IOS", "version": "17.4"}
	case "sms", "call":
		profile = map[string]any{"phoneNumber": "+1 XXX-XXX-" + obj.id[len(obj.id)-4:]}
	case "email":
		profile = map[string]any{"email": login}
	case "question":
		profile = map[string]any{"question": "disliked_food", "questionText": "What is the food you least liked as a child?"}
	case "webauthn":
		profile = map[string]any{"authenticatorName": "Security Key", "credentialId": obj.id}
	default:
		profile = map[string]any{"credentialId": login}
	}
	switch obj.status {
	case "ACTIVE":
		links["verify"] = orgLinkAllow(base+"/verify", "POST")
	case "PENDING_ACTIVATION":
		links["activate"] = orgLinkAllow(base+"/lifecycle/activate", "POST")
	}
	v := map[string]any{
		"id": obj.id, "factorType": obj.kind, "provider": obj.name, "vendorName": obj.name, "status": obj.status,
		"created": orgMsTime(obj.created), "lastUpdated": orgMsTime(obj.lastUpdated), "profile": profile, "_links": links,
	}
	return orgMustJSON(v)
}

// decodeObject returns the object's JSON as a map (for filters on
// attributes without a hot field, and for control-API patches).
func (o *orgStore) decodeObject(typ string, obj *orgObj) map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(o.renderJSON(typ, obj)))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return map[string]any{}
	}
	return m
}
