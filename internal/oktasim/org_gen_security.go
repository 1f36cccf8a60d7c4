package oktasim

import (
	"strings"
)

// zonePlan is one generated network zone.
type zonePlan struct {
	name, typ, usage, status string
	system                   bool
}

func zonePlans(engine string) []zonePlan {
	plans := []zonePlan{
		{"LegacyIpZone", "IP", "POLICY", "ACTIVE", true},
		{"BlockedIpZone", "IP", "BLOCKLIST", "ACTIVE", true},
		{"Corporate egress", "IP", "POLICY", "ACTIVE", false},
		{"Embargoed countries", "DYNAMIC", "BLOCKLIST", "ACTIVE", false},
		{"Old VPN range", "IP", "POLICY", "INACTIVE", false},
	}
	if engine == engineOIE {
		plans = append(plans,
			zonePlan{"DefaultEnhancedDynamicZone", "DYNAMIC_V2", "BLOCKLIST", "ACTIVE", true},
			zonePlan{"Block anonymizers", "DYNAMIC_V2", "BLOCKLIST", "ACTIVE", false})
	}
	return plans
}

func (g *orgGen) buildZone(p zonePlan, i int) *orgObj {
	id := newOktaID(g.rng, "nzo")
	created := g.ago(30, 1500)
	lu := g.between(created, g.now)
	allow := []string{"GET", "PUT", "DELETE"}
	if p.system {
		allow = []string{"GET", "PUT"}
	}
	links := map[string]any{"self": orgLinkAllow("/api/v1/zones/"+id, allow...)}
	if p.status == "ACTIVE" {
		links["deactivate"] = orgLinkAllow("/api/v1/zones/"+id+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = orgLinkAllow("/api/v1/zones/"+id+"/lifecycle/activate", "POST")
	}
	v := map[string]any{
		"type": p.typ, "id": id, "name": p.name, "status": p.status, "usage": p.usage, "system": p.system,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "_links": links,
	}
	switch p.typ {
	case "IP":
		switch {
		case p.name == "BlockedIpZone":
			v["gateways"] = []any{map[string]any{"type": "CIDR", "value": "198.51.100.0/24"}}
			v["proxies"] = nil
		case p.name == "LegacyIpZone":
			v["gateways"] = nil
			v["proxies"] = nil
		default:
			v["gateways"] = []any{map[string]any{"type": "CIDR", "value": "203.0.113." + orgItoa(i*16) + "/28"},
				map[string]any{"type": "RANGE", "value": "192.0.2.1-192.0.2.20"}}
			v["proxies"] = nil
		}
	case "DYNAMIC":
		v["proxyType"] = "ANY"
		v["locations"] = []any{map[string]any{"country": "KP", "region": nil}, map[string]any{"country": "IR", "region": nil}}
		v["asns"] = []string{"64496"}
	case "DYNAMIC_V2":
		v["locations"] = map[string]any{"include": []any{}, "exclude": []any{}}
		v["asns"] = map[string]any{"include": []string{}, "exclude": []string{}}
		v["ipServiceCategories"] = map[string]any{"include": []string{"ALL_ANONYMIZERS"}, "exclude": []string{}}
	}
	return &orgObj{id: id, status: p.status, kind: p.typ, name: p.name, terms: strings.ToLower(p.name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

// authenticatorPlans are the generated authenticators; a Classic org that
// lists authenticators has the five marked classic.
var authenticatorPlans = []struct {
	key, name, typ, status string
	classic                bool
}{
	{"okta_password", "Password", "password", "ACTIVE", true},
	{"okta_email", "Email", "email", "ACTIVE", true},
	{"phone_number", "Phone", "phone", "ACTIVE", true},
	{"okta_verify", "Okta Verify", "app", "ACTIVE", true},
	{"webauthn", "Security Key or Biometric", "security_key", "ACTIVE", false},
	{"security_question", "Security Question", "security_question", "INACTIVE", true},
	{"google_otp", "Google Authenticator", "app", "ACTIVE", false},
}

func (g *orgGen) buildAuthenticator(key, name, typ, status string) *orgObj {
	id := newOktaID(g.rng, "aut")
	created := g.ago(300, 1500)
	lu := g.between(created, g.now)
	v := map[string]any{
		"type": typ, "id": id, "key": key, "status": status, "name": name,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"_links": map[string]any{
			"self":    orgLinkAllow("/api/v1/authenticators/"+id, "GET", "PUT"),
			"methods": orgLinkAllow("/api/v1/authenticators/"+id+"/methods", "GET"),
		},
	}
	switch key {
	case "okta_email":
		v["settings"] = map[string]any{"allowedFor": "any", "tokenLifetimeInMinutes": 5}
	case "okta_verify":
		v["settings"] = map[string]any{"allowedFor": "any", "compliance": map[string]any{"fips": "OPTIONAL"},
			"channelBinding": map[string]any{"style": "NUMBER_CHALLENGE", "required": "HIGH_RISK_ONLY"}, "userVerification": "PREFERRED"}
	case "phone_number", "security_question", "webauthn":
		v["settings"] = map[string]any{"allowedFor": "recovery"}
		if key == "webauthn" {
			v["settings"] = map[string]any{"allowedFor": "any"}
		}
	}
	return &orgObj{id: id, status: status, kind: typ, name: name, terms: strings.ToLower(key + "\x00" + name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func (g *orgGen) buildAuthServer(name, status string) *orgObj {
	id := newOktaID(g.rng, "aus")
	created := g.ago(100, 1500)
	lu := g.between(created, g.now)
	v := map[string]any{
		"id": id, "name": name, "description": name + " authorization server",
		"audiences": []string{"api://" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))},
		"issuer":    orgURLPlaceholder + "/oauth2/" + id, "issuerMode": "ORG_URL", "status": status,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"credentials": map[string]any{"signing": map[string]any{"rotationMode": "AUTO", "lastRotated": orgMsTime(lu),
			"nextRotation": orgMsTime(lu + 90*orgDayMs), "kid": newOktaID(g.rng, "kid"), "use": "sig"}},
		"_links": map[string]any{
			"self":     orgLinkAllow("/api/v1/authorizationServers/"+id, "GET", "PUT", "DELETE"),
			"scopes":   orgLinkAllow("/api/v1/authorizationServers/"+id+"/scopes", "GET", "POST"),
			"claims":   orgLinkAllow("/api/v1/authorizationServers/"+id+"/claims", "GET", "POST"),
			"policies": orgLinkAllow("/api/v1/authorizationServers/"+id+"/policies", "GET", "POST"),
			"metadata": []any{orgLinkAllow("/oauth2/"+id+"/.well-known/oauth-authorization-server", "GET")},
		},
	}
	return &orgObj{id: id, status: status, kind: "authorization_server", name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func (g *orgGen) buildIDP(name, typ, protocol, status string) *orgObj {
	id := newOktaID(g.rng, "0oa")
	created := g.ago(100, 1500)
	lu := g.between(created, g.now)
	proto := map[string]any{"type": protocol}
	if protocol == "OIDC" {
		// Okta returns an OIDC IdP's client secret: the receiver must redact it. A generic
		// OIDC IdP also names its endpoints, whose "token" is a setting, not a secret.
		proto["scopes"] = []string{"openid", "profile", "email"}
		proto["credentials"] = map[string]any{"client": map[string]any{
			"client_id": "sim-" + strings.ToLower(typ) + "-client", "client_secret": "sim-idp-secret-" + id[3:]}}
		if typ == "OIDC" {
			base := "https://idp-" + strings.ToLower(id[len(id)-6:]) + ".example.com/oauth2/v1/"
			proto["endpoints"] = map[string]any{
				"authorization": map[string]any{"url": base + "authorize", "binding": "HTTP-REDIRECT"},
				"token":         map[string]any{"url": base + "token", "binding": "HTTP-POST"},
				"userInfo":      map[string]any{"url": base + "userinfo", "binding": "HTTP-REDIRECT"},
				"jwks":          map[string]any{"url": base + "keys", "binding": "HTTP-REDIRECT"},
			}
			proto["issuer"] = map[string]any{"url": strings.TrimSuffix(base, "/oauth2/v1/")}
		}
	}
	v := map[string]any{
		"id": id, "type": typ, "name": name, "status": status, "issuerMode": "ORG_URL",
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "protocol": proto,
		"policy": map[string]any{
			"provisioning": map[string]any{"action": "AUTO", "profileMaster": false,
				"groups":     map[string]any{"action": "NONE"},
				"conditions": map[string]any{"deprovisioned": map[string]any{"action": "NONE"}, "suspended": map[string]any{"action": "NONE"}}},
			"accountLink":  map[string]any{"action": "AUTO"},
			"subject":      map[string]any{"userNameTemplate": map[string]any{"template": "idpuser.email"}, "matchType": "USERNAME"},
			"maxClockSkew": 0,
		},
		"_links": map[string]any{"users": orgLinkAllow("/api/v1/idps/"+id+"/users", "GET")},
	}
	return &orgObj{id: id, status: status, kind: typ, name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func (g *orgGen) buildTrustedOrigin(name, origin, status string, scopes []string, creator string) *orgObj {
	id := newOktaID(g.rng, "tos")
	created := g.ago(10, 1000)
	lu := g.between(created, g.now)
	sc := make([]any, 0, len(scopes))
	for _, s := range scopes {
		sc = append(sc, map[string]any{"type": s})
	}
	v := map[string]any{
		"id": id, "name": name, "origin": origin, "scopes": sc, "status": status,
		"created": orgMsTime(created), "createdBy": creator, "lastUpdated": orgMsTime(lu), "lastUpdatedBy": creator,
		"_links": map[string]any{"self": orgLinkAllow("/api/v1/trustedOrigins/"+id, "GET", "PUT", "DELETE")},
	}
	return &orgObj{id: id, status: status, kind: "trusted_origin", name: name, terms: strings.ToLower(name + "\x00" + origin), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

var roleLabels = map[string]string{
	"SUPER_ADMIN": "Super Administrator", "ORG_ADMIN": "Organizational Administrator", "APP_ADMIN": "Application Administrator",
	"USER_ADMIN": "Group Administrator", "HELP_DESK_ADMIN": "Help Desk Administrator", "READ_ONLY_ADMIN": "Read-only Administrator",
	"API_ACCESS_MANAGEMENT_ADMIN": "API Access Management Administrator", "REPORT_ADMIN": "Report Administrator",
	"GROUP_MEMBERSHIP_ADMIN": "Group Membership Administrator", "MOBILE_ADMIN": "Mobile Administrator",
	"CUSTOM": "Group Auditor",
}

// buildRoleAssignment grants a role to a user or group principal
// (assignmentType USER or GROUP). customRole/resourceSet are set for CUSTOM.
func (g *orgGen) buildRoleAssignment(principal, assignmentType, roleType, customRole, resourceSet string) *orgObj {
	prefix := "ra1"
	if roleType == "CUSTOM" {
		prefix = "irb"
	}
	aid := newOktaID(g.rng, prefix)
	created := g.ago(1, 900)
	assignee := "/api/v1/users/" + principal
	if assignmentType == "GROUP" {
		assignee = "/api/v1/groups/" + principal
	}
	label := roleLabels[roleType]
	if label == "" {
		label = roleType
	}
	v := map[string]any{
		"id": aid, "label": label, "type": roleType, "status": "ACTIVE",
		"created": orgMsTime(created), "lastUpdated": orgMsTime(created), "assignmentType": assignmentType,
		"_links": map[string]any{"assignee": orgLink(assignee)},
	}
	if roleType == "CUSTOM" {
		v["role"] = customRole
		v["resource-set"] = resourceSet
		links := v["_links"].(map[string]any)
		links["resource-set"] = orgLink("/api/v1/iam/resource-sets/" + resourceSet)
		links["role"] = orgLink("/api/v1/iam/roles/" + customRole)
		links["permissions"] = orgLink("/api/v1/iam/permission-sets/" + customRole + "/permissions")
	}
	return &orgObj{parent: principal, ref: aid, status: "ACTIVE", kind: roleType, name: label, terms: assignmentType, created: created, lastUpdated: created, raw: orgMustJSON(v)}
}

func (g *orgGen) buildAPIToken(name, userID string, zone string) *orgObj {
	id := newOktaID(g.rng, "00T")
	created := g.ago(1, 200)
	lu := g.between(created, g.now)
	network := map[string]any{"connection": "ANYWHERE"}
	if zone != "" {
		network = map[string]any{"connection": "ZONE", "include": []string{zone}}
	}
	v := map[string]any{
		"id": id, "name": name, "userId": userID, "clientName": "Okta API", "tokenWindow": "P30D", "network": network,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "expiresAt": orgMsTime(lu + 30*orgDayMs),
		"_links": map[string]any{
			"self": orgLinkAllow("/api/v1/api-tokens/"+id, "GET", "DELETE"),
			"user": orgLinkAllow("/api/v1/users/"+userID, "GET"),
		},
	}
	return &orgObj{id: id, parent: userID, status: "ACTIVE", kind: "api_token", name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func (g *orgGen) buildEventHook(name, status, verification string, events []string, creator string) *orgObj {
	id := newOktaID(g.rng, "who")
	created := g.ago(1, 400)
	lu := g.between(created, g.now)
	v := map[string]any{
		"id": id, "status": status, "verificationStatus": verification, "name": name, "description": name + " hook",
		"created": orgMsTime(created), "createdBy": creator, "lastUpdated": orgMsTime(lu),
		"events": map[string]any{"type": "EVENT_TYPE", "items": events, "filter": nil},
		"channel": map[string]any{"type": "HTTP", "version": "1.0.0", "config": map[string]any{
			"uri": "https://hooks.example.com/okta/" + orgItoa(len(name)), "headers": []any{map[string]any{"key": "X-Env", "value": "prod"}},
			"method": "POST", "authScheme": map[string]any{"type": "HEADER", "key": "Authorization"}}},
		"_links": map[string]any{
			"self":   orgLink("/api/v1/eventHooks/" + id),
			"verify": orgLinkAllow("/api/v1/eventHooks/"+id+"/lifecycle/verify", "POST"),
		},
	}
	return &orgObj{id: id, status: status, kind: "HTTP", name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func (g *orgGen) buildLogStream(name, typ, status string) *orgObj {
	id := newOktaID(g.rng, "0oa")
	created := g.ago(1, 400)
	lu := g.between(created, g.now)
	settings := map[string]any{"edition": "aws", "host": "acme.splunkcloud.example.com"}
	if typ == "aws_eventbridge" {
		settings = map[string]any{"accountId": "123456789012", "eventSourceName": "okta-sim-events", "region": "us-east-1"}
	}
	v := map[string]any{
		"id": id, "type": typ, "name": name, "status": status, "settings": settings,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"_links": map[string]any{
			"self": map[string]any{"href": orgURLPlaceholder + "/api/v1/logStreams/" + id, "method": "GET"},
		},
	}
	return &orgObj{id: id, status: status, kind: typ, name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

var featurePlans = []struct{ name, status, stage, state string }{
	{"Example EA feature", "ENABLED", "EA", "OPEN"},
	{"Enhanced disaster recovery", "DISABLED", "EA", "OPEN"},
	{"New admin console search", "ENABLED", "BETA", "OPEN"},
	{"Passkey autofill", "DISABLED", "BETA", "CLOSED"},
}

func (g *orgGen) buildFeature(name, status, stage, state string) *orgObj {
	id := newOktaID(g.rng, "ftr")
	created := g.ago(10, 300)
	v := map[string]any{
		"id": id, "type": "self-service", "status": status, "name": name, "description": name + " (simulated self-service feature)",
		"stage": map[string]any{"value": stage, "state": state},
		"_links": map[string]any{
			"self":         orgLinkAllow("/api/v1/features/"+id, "POST"),
			"dependents":   orgLink("/api/v1/features/" + id + "/dependents"),
			"dependencies": orgLink("/api/v1/features/" + id + "/dependencies"),
		},
	}
	return &orgObj{id: id, status: status, kind: stage, name: name, terms: strings.ToLower(name), created: created, lastUpdated: created, raw: orgMustJSON(v)}
}

// buildSingletons creates the org, Okta Support and ThreatInsight objects;
// their contract id is the org id.
func (g *orgGen) buildSingletons(excludeZone string) (org, support, threat *orgObj) {
	created := g.ago(1600, 1601)
	lu := g.between(created, g.now)
	ov := map[string]any{
		"id": g.orgID, "subdomain": "sim", "companyName": "Example Corp (simulated)", "status": "ACTIVE",
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu),
		"website": "https://www.example.com", "phoneNumber": "+1-555-0100", "supportPhoneNumber": "+1-555-0199",
		"endUserSupportHelpURL": "https://help.example.com", "address1": "1 Example Way",
		"city": "Springfield", "state": "IL", "postalCode": "62701", "country": "United States",
		"_links": map[string]any{
			"preferences":       orgLink("/api/v1/org/preferences"),
			"oktaCommunication": orgLink("/api/v1/org/privacy/oktaCommunication"),
			"oktaSupport":       orgLink("/api/v1/org/privacy/oktaSupport"),
			"contacts":          orgLink("/api/v1/org/contacts"),
			"uploadLogo":        orgLinkAllow("/api/v1/org/logo", "POST"),
		},
	}
	org = &orgObj{id: g.orgID, status: "ACTIVE", kind: "org", name: "Example Corp (simulated)", created: created, lastUpdated: lu, raw: orgMustJSON(ov)}
	sv := map[string]any{
		"support": "ENABLED", "expiration": orgMsTime(g.now + 5*orgDayMs), "caseNumber": "01234567",
		"_links": map[string]any{"cases": orgLinkAllow("/api/v1/org/privacy/oktaSupport/cases", "GET")},
	}
	support = &orgObj{id: g.orgID, status: "ENABLED", kind: "okta_support", created: lu, lastUpdated: lu, raw: orgMustJSON(sv)}
	tc := g.ago(200, 900)
	tlu := g.between(tc, g.now)
	exclude := []string{}
	if excludeZone != "" {
		exclude = append(exclude, excludeZone)
	}
	tv := map[string]any{
		"action": "audit", "excludeZones": exclude, "created": orgMsTime(tc), "lastUpdated": orgMsTime(tlu),
		"_links": map[string]any{"self": orgLinkAllow("/api/v1/threats/configuration", "GET", "POST")},
	}
	threat = &orgObj{id: g.orgID, status: "audit", kind: "threat_insight", created: tc, lastUpdated: tlu, raw: orgMustJSON(tv)}
	return org, support, threat
}
