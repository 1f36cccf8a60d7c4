package oktasim

import (
	"strings"
)

var groupWords = []string{"Engineering", "SRE", "Sales", "Marketing", "Finance", "HR", "Legal", "Support", "Security", "Contractors", "Interns", "Managers", "EMEA", "APAC", "Americas", "Data", "Design", "IT", "Executives", "Partners"}

// buildGroup generates a group. typ is OKTA_GROUP, APP_GROUP or BUILT_IN;
// sourceApp is the app an APP_GROUP was imported from.
func (g *orgGen) buildGroup(i int, typ, name, sourceApp string) *orgObj {
	rng := g.rng
	id := newOktaID(rng, "00g")
	if name == "" {
		name = groupWords[rng.IntN(len(groupWords))] + " " + groupWords[rng.IntN(len(groupWords))] + " " + orgItoa(i)
	}
	created := g.ago(30, 1500)
	if typ == "BUILT_IN" {
		created = g.ago(1600, 1601)
	}
	lu := g.between(created, g.now)
	objectClass := []string{"okta:user_group"}
	desc := any("Generated group " + name)
	links := map[string]any{
		"logo": []any{
			map[string]any{"name": "medium", "href": orgURLPlaceholder + "/img/logos/groups/odyssey/okta-medium.png", "type": "image/png"},
			map[string]any{"name": "large", "href": orgURLPlaceholder + "/img/logos/groups/odyssey/okta-large.png", "type": "image/png"},
		},
		"users": orgLink("/api/v1/groups/" + id + "/users"),
		"apps":  orgLink("/api/v1/groups/" + id + "/apps"),
	}
	switch typ {
	case "BUILT_IN":
		desc = "All users in your organization"
	case "APP_GROUP":
		objectClass = []string{"okta:windows_security_principal"}
		links["source"] = orgLink("/api/v1/apps/" + sourceApp)
	}
	profile := map[string]any{"name": name, "description": desc}
	if typ == "APP_GROUP" {
		profile["samAccountName"] = strings.ReplaceAll(name, " ", "")
		profile["dn"] = "CN=" + name + ",OU=Groups,DC=corp,DC=example,DC=com"
		profile["windowsDomainQualifiedName"] = "CORP\\" + strings.ReplaceAll(name, " ", "")
		profile["groupType"] = "Security"
		profile["groupScope"] = "Global"
	}
	v := map[string]any{
		"id": id, "created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"lastMembershipUpdated": orgMsTime(g.between(lu, g.now)),
		"objectClass":           objectClass, "type": typ, "profile": profile, "_links": links,
	}
	return &orgObj{id: id, status: "ACTIVE", kind: typ, name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

// buildMembership links a user to a group (rendered as the user).
func (g *orgGen) buildMembership(groupID, userID string, at int64) *orgObj {
	return &orgObj{parent: groupID, ref: userID, status: "ACTIVE", created: at, lastUpdated: at}
}

var signOnModes = []string{"SAML_2_0", "OPENID_CONNECT", "BOOKMARK", "AUTO_LOGIN", "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE", "BASIC_AUTH", "WS_FEDERATION", "SAML_1_1"}
var signOnWeights = []int{35, 25, 10, 10, 8, 5, 3, 2, 2}
var appCatalogName = map[string]string{
	"SAML_2_0": "", "OPENID_CONNECT": "oidc_client", "BOOKMARK": "bookmark", "AUTO_LOGIN": "template_swa",
	"BROWSER_PLUGIN": "template_swa3field", "SECURE_PASSWORD_STORE": "template_sps", "BASIC_AUTH": "template_basic_auth",
	"WS_FEDERATION": "template_wsfed", "SAML_1_1": "template_saml_1_1",
}
var appLabels = []string{"Salesforce", "Workday", "GitHub", "Jira", "Confluence", "Slack", "Zoom", "AWS", "Datadog", "PagerDuty", "Grafana", "ServiceNow", "Box", "Dropbox", "Tableau", "Snowflake", "Zendesk", "HubSpot", "Figma", "Notion"}

// buildApp generates an application. mode "" picks a sign-on mode; secret
// adds credentials.oauthClient.client_secret (OIDC only) — a secret the
// receiver must redact. accessPolicy is the OIE app sign-in policy id.
func (g *orgGen) buildApp(i int, mode, label, status string, secret bool, accessPolicy string) *orgObj {
	rng := g.rng
	id := newOktaID(rng, "0oa")
	if mode == "" {
		mode = orgPick(rng, signOnModes, signOnWeights)
	}
	if label == "" {
		label = appLabels[rng.IntN(len(appLabels))] + " " + orgItoa(i)
	}
	if status == "" {
		status = orgPick(rng, []string{"ACTIVE", "INACTIVE"}, []int{88, 12})
	}
	name := appCatalogName[mode]
	if name == "" {
		name = strings.ToLower(strings.ReplaceAll(label, " ", "")) + "_saml"
	}
	created := g.ago(10, 1400)
	lu := g.between(created, g.now)
	creds := map[string]any{
		"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"},
		"signing":          map[string]any{"kid": newOktaID(rng, "kid")},
	}
	settings := map[string]any{
		"app":                map[string]any{},
		"notifications":      map[string]any{"vpn": map[string]any{"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}},
		"manualProvisioning": false, "implicitAssignment": false,
		"notes": map[string]any{"admin": nil, "enduser": nil},
	}
	features := []string{}
	switch mode {
	case "OPENID_CONNECT":
		oc := map[string]any{"autoKeyRotation": true, "client_id": id, "token_endpoint_auth_method": "client_secret_basic", "pkce_required": true}
		if secret {
			oc["client_secret"] = "sim-secret-" + randomTokenFrom(g, 32)
			oc["pkce_required"] = false
		}
		creds["oauthClient"] = oc
		settings["oauthClient"] = map[string]any{
			"redirect_uris":  []string{"https://" + strings.ToLower(strings.ReplaceAll(label, " ", "")) + ".example.com/callback"},
			"response_types": []string{"code"}, "grant_types": []string{"authorization_code", "refresh_token"},
			"application_type": "web", "consent_method": "REQUIRED", "issuer_mode": "DYNAMIC",
			"wildcard_redirect": "DISABLED", "dpop_bound_access_tokens": false,
		}
	case "SAML_2_0", "SAML_1_1":
		settings["signOn"] = map[string]any{
			"defaultRelayState": "", "ssoAcsUrl": "https://" + name + ".example.com/sso/saml",
			"audience": "https://" + name + ".example.com", "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
			"responseSigned": true, "assertionSigned": true, "signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
		}
		if rng.IntN(3) == 0 {
			features = []string{"PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "PUSH_PROFILE_UPDATES"}
		}
	case "BOOKMARK":
		settings["app"] = map[string]any{"url": "https://intranet.example.com/" + orgItoa(i), "requestIntegration": false}
	case "AUTO_LOGIN", "BROWSER_PLUGIN", "SECURE_PASSWORD_STORE", "BASIC_AUTH":
		settings["app"] = map[string]any{"url": "https://legacy" + orgItoa(i) + ".example.com/login"}
		creds["scheme"] = "EDIT_USERNAME_AND_PASSWORD"
		creds["revealPassword"] = rng.IntN(4) == 0
	}
	links := map[string]any{
		"appLinks": []any{map[string]any{"name": name + "_link", "href": orgURLPlaceholder + "/home/" + name + "/" + id + "/aln" + id[3:], "type": "text/html"}},
		"users":    orgLink("/api/v1/apps/" + id + "/users"),
		"groups":   orgLink("/api/v1/apps/" + id + "/groups"),
		"logo":     []any{map[string]any{"name": "medium", "href": orgURLPlaceholder + "/assets/img/logos/default.png", "type": "image/png"}},
		"metadata": orgLink("/api/v1/apps/" + id + "/sso/saml/metadata"),
	}
	if status == "ACTIVE" {
		links["deactivate"] = orgLink("/api/v1/apps/" + id + "/lifecycle/deactivate")
	} else {
		links["activate"] = orgLink("/api/v1/apps/" + id + "/lifecycle/activate")
	}
	if accessPolicy != "" {
		links["accessPolicy"] = orgLink("/api/v1/policies/" + accessPolicy)
	}
	v := map[string]any{
		"id": id, "orn": "orn:okta:idp:" + g.orgID + ":apps:" + name + ":" + id,
		"name": name, "label": label, "status": status,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "signOnMode": mode,
		"features":      features,
		"accessibility": map[string]any{"selfService": false},
		"visibility": map[string]any{"autoLaunch": false, "autoSubmitToolbar": false,
			"hide": map[string]any{"iOS": false, "web": false}, "appLinks": map[string]any{name + "_link": true}},
		"credentials": creds, "settings": settings, "_links": links,
	}
	return &orgObj{id: id, status: status, kind: mode, name: name, terms: strings.ToLower(name + "\x00" + label), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

// buildAppUser assigns a user to an app. scope is USER or GROUP; for GROUP
// the assigning group's id is kept in the object's name field.
func (g *orgGen) buildAppUser(app, user *orgObj, scope, viaGroup string) *orgObj {
	created := g.between(max(app.created, user.created), g.now)
	status := "ACTIVE"
	switch user.status {
	case "DEPROVISIONED":
		status = "DEPROVISIONED"
	case "STAGED":
		status = "STAGED"
	case "PROVISIONED":
		status = "PROVISIONED"
	}
	return &orgObj{parent: app.id, ref: user.id, status: status, kind: scope, name: viaGroup, created: created, lastUpdated: g.between(created, g.now)}
}

// buildAppGroup assigns a group to an app; the priority is kept in terms.
func (g *orgGen) buildAppGroup(app, group *orgObj, priority int) *orgObj {
	created := g.between(max(app.created, group.created), g.now)
	return &orgObj{parent: app.id, ref: group.id, status: "ACTIVE", terms: orgItoa(priority), created: created, lastUpdated: created}
}

// buildGroupRule generates a group rule assigning to target groups.
func (g *orgGen) buildGroupRule(i int, targets []*orgObj, status string, excludeUser string) *orgObj {
	rng := g.rng
	id := newOktaID(rng, "0pr")
	dept := departments[rng.IntN(len(departments))]
	name := dept + " department rule " + orgItoa(i)
	created := g.ago(10, 900)
	lu := g.between(created, g.now)
	ids := make([]string, 0, len(targets))
	for _, t := range targets {
		ids = append(ids, t.id)
	}
	exclude := []string{}
	if excludeUser != "" {
		exclude = append(exclude, excludeUser)
	}
	v := map[string]any{
		"type": "group_rule", "id": id, "status": status, "name": name,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"conditions": map[string]any{
			"people":     map[string]any{"users": map[string]any{"exclude": exclude}, "groups": map[string]any{"exclude": []string{}}},
			"expression": map[string]any{"value": "user.department==\"" + dept + "\"", "type": "urn:okta:expression:1.0"},
		},
		"actions": map[string]any{"assignUserToGroups": map[string]any{"groupIds": ids}},
	}
	return &orgObj{id: id, status: status, kind: "group_rule", name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

// randomTokenFrom returns n deterministic alphanumeric characters.
func randomTokenFrom(g *orgGen, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = idAlphabet[g.rng.IntN(len(idAlphabet))]
	}
	return string(b)
}
