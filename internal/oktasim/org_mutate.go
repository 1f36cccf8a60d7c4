package oktasim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// orgMergePatch applies a JSON merge patch (RFC 7396) to dst.
func orgMergePatch(dst, patch map[string]any) {
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
			continue
		}
		if pm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				orgMergePatch(dm, pm)
				continue
			}
		}
		dst[k] = v
	}
}

// orgRelationKeys are the body keys that name a new object's parent or
// ref; they are not copied into the object.
var orgRelationKeys = []string{"groupId", "userId", "appId", "policyId", "principalId"}

// create builds a new object of typ with the generator's defaults, applies
// body on top, stores it and returns its events.
func (o *orgStore) create(typ string, body map[string]any) (orgCtlResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	g := o.ctlGen()
	n := len(o.cols[typ].items) + 1
	var obj *orgObj
	var err error
	switch typ {
	case typeOrg, typeOktaSupport, typeThreatInsight:
		return orgCtlResult{}, orgBadRequest("type: %s is a singleton; update it with PATCH /_sim/resources/%s/%s", typ, typ, o.orgID)
	case typeUser:
		status := orgStr(body, "status")
		if status == "" {
			status = "ACTIVE"
		}
		if !slices.Contains(userStatuses, status) {
			return orgCtlResult{}, orgBadRequest("status: %q is not a user status (%s)", status, strings.Join(userStatuses, ", "))
		}
		obj = g.buildUser(10_000_000+n, status)
	case typeGroup:
		obj = g.buildGroup(n, "OKTA_GROUP", orgStr(body, "name"), "")
	case typeGroupMembership:
		obj, err = o.newMembership(g, body)
	case typeGroupRule:
		targets := []*orgObj{}
		if grp, err := o.need(body, "groupId", typeGroup); err == nil {
			targets = append(targets, grp)
		} else if orgStr(body, "groupId") != "" {
			return orgCtlResult{}, err
		}
		obj = g.buildGroupRule(n, targets, "ACTIVE", "")
	case typeApplication:
		mode := orgStr(body, "signOnMode")
		if mode != "" && !slices.Contains(signOnModes, mode) {
			return orgCtlResult{}, orgBadRequest("signOnMode: %q is not one of %s", mode, strings.Join(signOnModes, ", "))
		}
		obj = g.buildApp(n, mode, orgStr(body, "label"), "ACTIVE", false, "")
	case typeApplicationUser:
		obj, err = o.newAppUser(g, body)
	case typeApplicationGroup:
		obj, err = o.newAppGroup(g, body)
	case typePolicy:
		obj, err = o.newPolicy(g, body)
	case typePolicyRule:
		var pol *orgObj
		if pol, err = o.need(body, "policyId", typePolicy); err == nil {
			var zones []string
			for _, z := range o.cols[typeNetworkZone].items {
				zones = append(zones, z.id)
			}
			obj = g.buildPolicyRule(pol, len(o.cols[typePolicyRule].byParent[pol.id]), false, 0, zones[:min(1, len(zones))], "ACTIVE")
		}
	case typeUserFactor:
		obj, err = o.newFactor(g, body)
	case typeAuthenticator:
		if !o.opts.listsAuthenticators() {
			return orgCtlResult{}, orgBadRequest("type: this classic org answers /api/v1/authenticators with %s (classic-authenticators)",
				o.opts.ClassicAuthenticators)
		}
		key := orgStr(body, "key")
		if key == "" {
			key = "custom_app"
		}
		obj = g.buildAuthenticator(key, orgOr(orgStr(body, "name"), "Custom authenticator "+orgItoa(n)), orgOr(orgStr(body, "type"), "app"), "ACTIVE")
	case typeAuthServer:
		obj = g.buildAuthServer(orgOr(orgStr(body, "name"), "Authorization server "+orgItoa(n)), "ACTIVE")
	case typeIdentityProvider:
		obj = g.buildIDP(orgOr(orgStr(body, "name"), "Identity provider "+orgItoa(n)), orgOr(orgStr(body, "type"), "OIDC"), "OIDC", "ACTIVE")
	case typeNetworkZone:
		zt := orgOr(orgStr(body, "type"), "IP")
		if zt != "IP" && zt != "DYNAMIC" && zt != "DYNAMIC_V2" {
			return orgCtlResult{}, orgBadRequest("type: %q is not IP, DYNAMIC or DYNAMIC_V2", zt)
		}
		obj = g.buildZone(zonePlan{orgOr(orgStr(body, "name"), "Zone "+orgItoa(n)), zt, orgOr(orgStr(body, "usage"), "POLICY"), "ACTIVE", false}, n)
	case typeTrustedOrigin:
		obj = g.buildTrustedOrigin(orgOr(orgStr(body, "name"), "Origin "+orgItoa(n)), orgOr(orgStr(body, "origin"), "https://origin"+orgItoa(n)+".example.com"), "ACTIVE", []string{"CORS"}, "")
	case typeUserType:
		name := orgOr(orgStr(body, "name"), "type"+orgItoa(n))
		obj = g.buildUserType(name, orgOr(orgStr(body, "displayName"), name), false, "")
	case typeAdminRole:
		obj, err = o.newRoleAssignment(g, body)
	case typeAPIToken:
		var u *orgObj
		if u, err = o.need(body, "userId", typeUser); err == nil {
			obj = g.buildAPIToken(orgOr(orgStr(body, "name"), "token-"+orgItoa(n)), u.id, "")
		}
	case typeEventHook:
		obj = g.buildEventHook(orgOr(orgStr(body, "name"), "Hook "+orgItoa(n)), "ACTIVE", "UNVERIFIED", []string{"user.lifecycle.create"}, "")
	case typeLogStream:
		lt := orgOr(orgStr(body, "type"), "aws_eventbridge")
		obj = g.buildLogStream(orgOr(orgStr(body, "name"), "Log stream "+orgItoa(n)), lt, "ACTIVE")
	case typeFeature:
		obj = g.buildFeature(orgOr(orgStr(body, "name"), "Feature "+orgItoa(n)), "DISABLED", "EA", "OPEN")
	}
	if err != nil {
		return orgCtlResult{}, err
	}
	obj.created, obj.lastUpdated = g.now, g.now
	patch := map[string]any{}
	for k, v := range body {
		if !slices.Contains(orgRelationKeys, k) && k != "id" {
			patch[k] = v
		}
	}
	if obj.raw != nil {
		m := o.decodeObject(typ, obj)
		// A new object was created, activated and changed just now.
		for _, k := range []string{"created", "activated", "statusChanged", "passwordChanged"} {
			if v, ok := m[k]; ok && v != nil {
				m[k] = orgMsTime(g.now)
			}
		}
		if _, ok := m["lastLogin"]; ok {
			m["lastLogin"] = nil
		}
		orgMergePatch(m, patch)
		o.setJSON(typ, obj, m, g.now)
	} else if len(patch) > 0 {
		m := o.decodeObject(typ, obj)
		orgMergePatch(m, patch)
		o.setJSON(typ, obj, m, g.now)
	}
	if err := o.validateHot(typ, obj); err != nil {
		return orgCtlResult{}, err
	}
	o.insert(typ, obj)
	o.touchParents(typ, obj, g.now)
	res := orgCtlResult{status: http.StatusCreated, typ: typ, obj: obj, body: o.renderJSON(typ, obj)}
	res.events = o.events(typ, 0, obj, "", "")
	return res, nil
}

func orgOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// validateHot rejects statuses the type does not have.
func (o *orgStore) validateHot(typ string, obj *orgObj) error {
	if typ == typeUser && !slices.Contains(userStatuses, obj.status) {
		return orgBadRequest("status: %q is not a user status (%s)", obj.status, strings.Join(userStatuses, ", "))
	}
	return nil
}

func (o *orgStore) newMembership(g *orgGen, body map[string]any) (*orgObj, error) {
	grp, err := o.need(body, "groupId", typeGroup)
	if err != nil {
		return nil, err
	}
	u, err := o.need(body, "userId", typeUser)
	if err != nil {
		return nil, err
	}
	if grp.kind == "BUILT_IN" {
		return nil, orgBadRequest("groupId: %s is the built-in Everyone group; every user is a member", grp.id)
	}
	if o.cols[typeGroupMembership].byID[grp.id+"/"+u.id] != nil {
		return nil, orgBadRequest("userId: %s is already a member of group %s", u.id, grp.id)
	}
	return g.buildMembership(grp.id, u.id, g.now), nil
}

func (o *orgStore) newAppUser(g *orgGen, body map[string]any) (*orgObj, error) {
	app, err := o.need(body, "appId", typeApplication)
	if err != nil {
		return nil, err
	}
	u, err := o.need(body, "userId", typeUser)
	if err != nil {
		return nil, err
	}
	if o.cols[typeApplicationUser].byID[app.id+"/"+u.id] != nil {
		return nil, orgBadRequest("userId: %s is already assigned to app %s", u.id, app.id)
	}
	return g.buildAppUser(app, u, "USER", ""), nil
}

func (o *orgStore) newAppGroup(g *orgGen, body map[string]any) (*orgObj, error) {
	app, err := o.need(body, "appId", typeApplication)
	if err != nil {
		return nil, err
	}
	grp, err := o.need(body, "groupId", typeGroup)
	if err != nil {
		return nil, err
	}
	if o.cols[typeApplicationGroup].byID[app.id+"/"+grp.id] != nil {
		return nil, orgBadRequest("groupId: %s is already assigned to app %s", grp.id, app.id)
	}
	return g.buildAppGroup(app, grp, len(o.cols[typeApplicationGroup].byParent[app.id])), nil
}

func (o *orgStore) newPolicy(g *orgGen, body map[string]any) (*orgObj, error) {
	pt := orgStr(body, "type")
	if pt == "" {
		return nil, orgBadRequest("type: required (a policy type)")
	}
	if !slices.Contains(classicPolicyTypes, pt) && !orgIsOIEOnlyPolicyType(pt) {
		return nil, orgBadRequest("type: %q is not a policy type", pt)
	}
	if o.opts.Engine == engineClassic && orgIsOIEOnlyPolicyType(pt) {
		return nil, orgBadRequest("type: %s is an Identity Engine policy type; this org is classic", pt)
	}
	prio := 1
	for _, p := range o.cols[typePolicy].items {
		if p.kind == pt {
			prio++
		}
	}
	return g.buildPolicy(policyPlan{pt, orgOr(orgStr(body, "name"), pt+" policy "+orgItoa(prio)), false, "ACTIVE", 0}, prio, []string{g.everyoneID}), nil
}

func (o *orgStore) newFactor(g *orgGen, body map[string]any) (*orgObj, error) {
	u, err := o.need(body, "userId", typeUser)
	if err != nil {
		return nil, err
	}
	ft := orgOr(orgStr(body, "factorType"), "push")
	prefix, ok := factorPrefix[ft]
	if !ok {
		return nil, orgBadRequest("factorType: %q is not a factor type", ft)
	}
	status := orgOr(orgStr(body, "status"), "ACTIVE")
	return &orgObj{id: newOktaID(g.rng, prefix), parent: u.id, status: status, kind: ft, name: factorProvider(ft)}, nil
}

func (o *orgStore) newRoleAssignment(g *orgGen, body map[string]any) (*orgObj, error) {
	principal := orgStr(body, "principalId")
	if principal == "" {
		return nil, orgBadRequest("principalId: required (a user or group id)")
	}
	at := "USER"
	if o.cols[typeGroup].byID[principal] != nil {
		at = "GROUP"
	} else if o.cols[typeUser].byID[principal] == nil {
		return nil, orgCtlNotFound("principalId: no user or group with id %q", principal)
	}
	role := orgOr(orgStr(body, "type"), "READ_ONLY_ADMIN")
	if _, ok := roleLabels[role]; !ok {
		return nil, orgBadRequest("type: %q is not a role type", role)
	}
	if role == "CUSTOM" {
		return g.buildRoleAssignment(principal, at, role, o.customRoleID, o.resourceSetID), nil
	}
	return g.buildRoleAssignment(principal, at, role, "", ""), nil
}

// setJSON stores m as obj's JSON, with lastUpdated set to now when the
// type carries one, and refreshes the hot fields (callers hold mu).
func (o *orgStore) setJSON(typ string, obj *orgObj, m map[string]any, now int64) {
	if _, ok := m["lastUpdated"]; ok || obj.raw == nil {
		if typ != typeFeature && typ != typeOktaSupport {
			m["lastUpdated"] = orgMsTime(now)
		}
	}
	obj.lastUpdated = now
	o.encodeRaw(typ, obj, m)
}

// encodeRaw stores m as obj's JSON and refreshes the hot fields, leaving
// lastUpdated alone (callers hold mu).
func (o *orgStore) encodeRaw(typ string, obj *orgObj, m map[string]any) {
	o.refreshHot(typ, obj, m)
	if typ == typeGroupMembership {
		return // rendered as the user; nothing of its own to keep
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	obj.raw = bytes.TrimRight(buf.Bytes(), "\n")
}

func orgPath(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

// refreshHot copies the fields filters and counts use from m into obj.
func (o *orgStore) refreshHot(typ string, obj *orgObj, m map[string]any) {
	if s := orgPath(m, "status"); s != "" {
		obj.status = s
	}
	switch typ {
	case typeUser:
		obj.name = orgPath(m, "profile", "login")
		obj.kind = orgPath(m, "type", "id")
		obj.terms = orgUserTerms(orgPath(m, "profile", "firstName"), orgPath(m, "profile", "lastName"), orgPath(m, "profile", "email"))
	case typeGroup:
		obj.name = orgPath(m, "profile", "name")
		obj.kind = orgPath(m, "type")
		obj.terms = strings.ToLower(obj.name)
	case typeApplication:
		obj.name = orgPath(m, "name")
		obj.kind = orgPath(m, "signOnMode")
		obj.terms = strings.ToLower(obj.name + "\x00" + orgPath(m, "label"))
	case typeApplicationUser:
		obj.kind = orgOr(orgPath(m, "scope"), obj.kind)
	case typeUserFactor:
		obj.kind = orgOr(orgPath(m, "factorType"), obj.kind)
		obj.name = orgOr(orgPath(m, "provider"), obj.name)
	case typeOktaSupport:
		obj.status = orgPath(m, "support")
	case typeThreatInsight:
		obj.status = orgPath(m, "action")
	case typePolicy, typePolicyRule, typeNetworkZone, typeIdentityProvider, typeAuthenticator, typeLogStream, typeAdminRole:
		obj.kind = orgOr(orgPath(m, "type"), obj.kind)
		obj.name = orgOr(orgPath(m, "name"), orgOr(orgPath(m, "label"), obj.name))
		obj.terms = strings.ToLower(obj.name)
	default:
		if n := orgPath(m, "name"); n != "" {
			obj.name = n
			obj.terms = strings.ToLower(n)
		}
	}
}

// touchParents records a relation change on the parent: a group's
// lastMembershipUpdated (callers hold mu).
func (o *orgStore) touchParents(typ string, obj *orgObj, now int64) {
	if typ != typeGroupMembership {
		return
	}
	if grp := o.cols[typeGroup].byID[obj.parent]; grp != nil {
		m := o.decodeObject(typeGroup, grp)
		// Membership changes move lastMembershipUpdated, not lastUpdated.
		m["lastMembershipUpdated"] = orgMsTime(now)
		o.encodeRaw(typeGroup, grp, m)
	}
}

// events returns the System Log events of a change (op 0 create, 1
// update, 2 delete); from/to are the old and new status of an update.
func (o *orgStore) events(typ string, op int, obj *orgObj, from, to string) []EventSpec {
	et := orgEventTypes[typ][op]
	if op == 1 && from != to {
		if se := orgStatusEvent(typ, from, to); se != "" {
			et = se
		}
	}
	if typ == typeAdminRole && o.cols[typeGroup].byID[obj.parent] != nil {
		et = strings.Replace(et, "user.account.privilege", "group.privilege", 1)
	}
	if typ == typeUserFactor && op == 0 && obj.status != "ACTIVE" {
		et = "user.mfa.factor.update"
	}
	if et == "" {
		return nil
	}
	targets := o.orgEventTargets(typ, obj)
	if op == 1 && from != to && len(targets) > 0 {
		i := len(targets) - 1
		targets[i].ChangeFrom = map[string]any{"status": from}
		targets[i].ChangeTo = map[string]any{"status": to}
	}
	return []EventSpec{{EventType: et, Targets: targets, DisplayMessage: orgDisplayMessage(et)}}
}

func orgDisplayMessage(eventType string) string {
	r := strings.NewReplacer(".", " ", "_", " ")
	return strings.TrimSpace(r.Replace(eventType))
}

// lookup finds an object by its contract id; singletons accept the org id.
func (o *orgStore) lookup(typ, id string) (*orgObj, error) {
	if obj := o.cols[typ].byID[id]; obj != nil {
		return obj, nil
	}
	if typ == typeGroupMembership {
		if gid, uid, ok := strings.Cut(id, "/"); ok {
			if grp := o.cols[typeGroup].byID[gid]; grp != nil && grp.kind == "BUILT_IN" && o.cols[typeUser].byID[uid] != nil {
				return nil, orgBadRequest("id: membership in the built-in Everyone group follows the user; it cannot be changed")
			}
		}
	}
	return nil, orgCtlNotFound("id: no %s with id %q", typ, id)
}

// update applies a JSON merge patch to an object.
func (o *orgStore) update(typ, id string, patch map[string]any) (orgCtlResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.lookup(typ, id)
	if err != nil {
		return orgCtlResult{}, err
	}
	if typ == typeGroupMembership {
		return orgCtlResult{}, orgBadRequest("type: a group membership has no fields to update; delete and re-create it")
	}
	for _, k := range []string{"id", "created"} {
		if _, ok := patch[k]; ok {
			return orgCtlResult{}, orgBadRequest("%s: cannot be changed", k)
		}
	}
	if typ == typeUser {
		if s, ok := patch["status"].(string); ok && !slices.Contains(userStatuses, s) {
			return orgCtlResult{}, orgBadRequest("status: %q is not a user status (%s)", s, strings.Join(userStatuses, ", "))
		}
	}
	from := obj.status
	now := o.nowMs()
	m := o.decodeObject(typ, obj)
	orgMergePatch(m, patch)
	if typ == typeUser && orgPath(m, "status") != from {
		m["statusChanged"] = orgMsTime(now)
	}
	o.setJSON(typ, obj, m, now)
	res := orgCtlResult{status: http.StatusOK, typ: typ, obj: obj, body: o.renderJSON(typ, obj)}
	res.events = o.events(typ, 1, obj, from, obj.status)
	return res, nil
}

// remove deletes an object and what depends on it. A user that is not
// DEPROVISIONED is deactivated instead (as Okta's first DELETE does); the
// next DELETE removes it.
func (o *orgStore) remove(typ, id string) (orgCtlResult, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.lookup(typ, id)
	if err != nil {
		return orgCtlResult{}, err
	}
	switch typ {
	case typeOrg, typeOktaSupport, typeThreatInsight:
		return orgCtlResult{}, orgBadRequest("type: %s is a singleton and cannot be deleted", typ)
	case typeGroup:
		if obj.kind == "BUILT_IN" {
			return orgCtlResult{}, orgBadRequest("id: the built-in Everyone group cannot be deleted")
		}
	}
	now := o.nowMs()
	if typ == typeUser && obj.status != "DEPROVISIONED" {
		from := obj.status
		m := o.decodeObject(typ, obj)
		m["status"] = "DEPROVISIONED"
		m["statusChanged"] = orgMsTime(now)
		o.setJSON(typ, obj, m, now)
		return orgCtlResult{status: http.StatusOK, typ: typ, obj: obj, body: o.renderJSON(typ, obj),
			events: o.events(typ, 1, obj, from, "DEPROVISIONED")}, nil
	}
	var events []EventSpec
	if typ == typeApplication && obj.status == "ACTIVE" {
		events = append(events, o.events(typ, 1, obj, "ACTIVE", "INACTIVE")...)
	}
	events = append(events, o.events(typ, 2, obj, "", "")...)
	o.cascade(typ, obj, now)
	o.cols[typ].remove(obj)
	if typ == typeGroupMembership {
		o.touchParents(typ, obj, now)
	}
	return orgCtlResult{status: http.StatusNoContent, typ: typ, events: events}, nil
}

// cascade removes the objects that cannot outlive obj (callers hold mu).
func (o *orgStore) cascade(typ string, obj *orgObj, now int64) {
	drop := func(ctyp string, list []*orgObj) {
		for _, c := range slices.Clone(list) {
			o.cols[ctyp].remove(c)
		}
	}
	switch typ {
	case typeUser:
		drop(typeGroupMembership, o.cols[typeGroupMembership].byRef[obj.id])
		drop(typeApplicationUser, o.cols[typeApplicationUser].byRef[obj.id])
		drop(typeUserFactor, o.cols[typeUserFactor].byParent[obj.id])
		drop(typeAdminRole, o.cols[typeAdminRole].byParent[obj.id])
	case typeGroup:
		drop(typeGroupMembership, o.cols[typeGroupMembership].byParent[obj.id])
		for _, ag := range slices.Clone(o.cols[typeApplicationGroup].byRef[obj.id]) {
			var viaGroup []*orgObj
			for _, au := range o.cols[typeApplicationUser].byParent[ag.parent] {
				if au.kind == "GROUP" && au.name == obj.id {
					viaGroup = append(viaGroup, au)
				}
			}
			drop(typeApplicationUser, viaGroup)
			o.cols[typeApplicationGroup].remove(ag)
		}
		drop(typeAdminRole, o.cols[typeAdminRole].byParent[obj.id])
	case typeApplication:
		drop(typeApplicationUser, o.cols[typeApplicationUser].byParent[obj.id])
		drop(typeApplicationGroup, o.cols[typeApplicationGroup].byParent[obj.id])
	case typePolicy:
		drop(typePolicyRule, o.cols[typePolicyRule].byParent[obj.id])
	}
	_ = now
}
