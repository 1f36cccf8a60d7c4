package oktasim

import (
	"strings"
)

// classicPolicyTypes exist on both engines; oieOnlyPolicyTypes only on an
// Identity Engine org (a Classic org answers 400 E0000002 to them).
var classicPolicyTypes = []string{"OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "IDP_DISCOVERY"}
var oieOnlyPolicyTypes = []string{"ACCESS_POLICY", "PROFILE_ENROLLMENT", "ENTITY_RISK", "POST_AUTH_SESSION",
	"SESSION_VIOLATION_DETECTION", "DEVICE_SIGNAL_COLLECTION", "CLIENT_UPDATE", "IDENTITY_CLAIM_SOURCING"}

func orgIsOIEOnlyPolicyType(t string) bool {
	for _, x := range oieOnlyPolicyTypes {
		if x == t {
			return true
		}
	}
	return false
}

// ruleTypeFor is the rule type of a policy type (OKTA_SIGN_ON rules are SIGN_ON).
func ruleTypeFor(policyType string) string {
	if policyType == "OKTA_SIGN_ON" {
		return "SIGN_ON"
	}
	return policyType
}

// policyPlan is what the generator creates for one policy.
type policyPlan struct {
	typ, name string
	system    bool
	status    string
	variant   int // selects settings/rules (0 default, 1 strict, 2 weak)
}

// policyPlans is the org's policy set for its engine.
func policyPlans(engine string) []policyPlan {
	plans := []policyPlan{
		{"OKTA_SIGN_ON", "Default Policy", true, "ACTIVE", 0},
		{"OKTA_SIGN_ON", "Contractors session policy", false, "ACTIVE", 2},
		{"OKTA_SIGN_ON", "Admins session policy", false, "ACTIVE", 1},
		{"PASSWORD", "Default Policy", true, "ACTIVE", 2},
		{"PASSWORD", "Strong passwords", false, "ACTIVE", 1},
		{"PASSWORD", "Legacy AD passwords", false, "INACTIVE", 0},
		{"MFA_ENROLL", "Default Policy", true, "ACTIVE", 0},
		{"MFA_ENROLL", "Admins must enroll", false, "ACTIVE", 1},
		{"IDP_DISCOVERY", "Idp Discovery Policy", true, "ACTIVE", 0},
	}
	if engine == engineOIE {
		plans = append(plans,
			policyPlan{"ACCESS_POLICY", "Default Policy", true, "ACTIVE", 0},
			policyPlan{"ACCESS_POLICY", "Any two factors", false, "ACTIVE", 1},
			policyPlan{"ACCESS_POLICY", "Password only", false, "ACTIVE", 2},
			policyPlan{"PROFILE_ENROLLMENT", "Default Policy", true, "ACTIVE", 0},
			policyPlan{"ENTITY_RISK", "Entity Risk Policy", true, "ACTIVE", 0},
			policyPlan{"POST_AUTH_SESSION", "Identity Threat Protection session policy", true, "ACTIVE", 0},
			policyPlan{"SESSION_VIOLATION_DETECTION", "Session Violation Detection Policy", true, "ACTIVE", 0},
			policyPlan{"DEVICE_SIGNAL_COLLECTION", "Device signal collection", false, "INACTIVE", 0},
			policyPlan{"CLIENT_UPDATE", "Okta Verify update policy", true, "ACTIVE", 0},
			policyPlan{"IDENTITY_CLAIM_SOURCING", "Identity claim sourcing", true, "ACTIVE", 0},
		)
	}
	return plans
}

// buildPolicy generates a policy; groups are the conditions' people groups,
// zones the network zones rules may refer to.
func (g *orgGen) buildPolicy(p policyPlan, priority int, groups []string) *orgObj {
	prefix := "00p"
	if p.typ == "ACCESS_POLICY" {
		prefix = "rst"
	}
	id := newOktaID(g.rng, prefix)
	created := g.ago(30, 1500)
	lu := g.between(created, g.now)
	links := map[string]any{
		"self":  orgLinkAllow("/api/v1/policies/"+id, "GET", "PUT", "DELETE"),
		"rules": orgLinkAllow("/api/v1/policies/"+id+"/rules", "GET", "POST"),
	}
	if p.status == "ACTIVE" {
		links["deactivate"] = orgLinkAllow("/api/v1/policies/"+id+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = orgLinkAllow("/api/v1/policies/"+id+"/lifecycle/activate", "POST")
	}
	v := map[string]any{
		"type": p.typ, "id": id, "status": p.status, "name": p.name,
		"description": p.name + " (" + strings.ToLower(strings.ReplaceAll(p.typ, "_", " ")) + ")",
		"priority":    priority, "system": p.system,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "_links": links,
	}
	var conditions map[string]any
	switch p.typ {
	case "OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL":
		conditions = map[string]any{"people": map[string]any{"groups": map[string]any{"include": groups}}}
	}
	switch p.typ {
	case "PASSWORD":
		conditions["authProvider"] = map[string]any{"provider": "OKTA"}
		v["settings"] = passwordSettings(p.variant)
	case "MFA_ENROLL":
		v["settings"] = mfaEnrollSettings(g.engine, p.variant)
	case "ACCESS_POLICY":
		links["mappings"] = orgLinkAllow("/api/v1/policies/"+id+"/mappings", "GET", "POST")
		links["applications"] = orgLinkAllow("/api/v1/policies/"+id+"/app", "GET")
	}
	if conditions != nil {
		v["conditions"] = conditions
	} else {
		v["conditions"] = nil
	}
	return &orgObj{id: id, status: p.status, kind: p.typ, name: p.name, terms: strings.ToLower(p.name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

func passwordSettings(variant int) map[string]any {
	minLen, maxAge, history, attempts, minUpper, minSymbol := 8, 0, 4, 10, 1, 0
	switch variant {
	case 1:
		minLen, maxAge, history, attempts, minSymbol = 14, 90, 24, 5, 1
	case 2:
		minLen, maxAge, history, attempts, minUpper = 6, 0, 0, 0, 0
	}
	return map[string]any{
		"password": map[string]any{
			"complexity": map[string]any{
				"minLength": minLen, "minLowerCase": 1, "minUpperCase": minUpper, "minNumber": 1, "minSymbol": minSymbol,
				"excludeUsername": variant != 2, "dictionary": map[string]any{"common": map[string]any{"exclude": variant != 2}},
				"excludeAttributes": []string{"firstName", "lastName"},
			},
			"age": map[string]any{"maxAgeDays": maxAge, "expireWarnDays": 0, "minAgeMinutes": 0, "historyCount": history},
			"lockout": map[string]any{"maxAttempts": attempts, "autoUnlockMinutes": 0,
				"userLockoutNotificationChannels": []string{}, "showLockoutFailures": false},
		},
		"recovery": map[string]any{"factors": map[string]any{
			"recovery_question": map[string]any{"status": "INACTIVE"},
			"okta_email":        map[string]any{"status": "ACTIVE", "properties": map[string]any{"recoveryToken": map[string]any{"tokenLifetimeMinutes": 60}}},
			"okta_sms":          map[string]any{"status": "INACTIVE"},
			"okta_call":         map[string]any{"status": "INACTIVE"},
		}},
		"delegation": map[string]any{"options": map[string]any{"skipUnlock": false}},
	}
}

func mfaEnrollSettings(engine string, variant int) map[string]any {
	req := func(strict bool) string {
		if strict {
			return "REQUIRED"
		}
		return "OPTIONAL"
	}
	if engine == engineOIE {
		return map[string]any{
			"type": "AUTHENTICATORS",
			"authenticators": []any{
				map[string]any{"key": "okta_verify", "enroll": map[string]any{"self": req(true)}},
				map[string]any{"key": "webauthn", "enroll": map[string]any{"self": req(variant == 1)}},
				map[string]any{"key": "phone_number", "enroll": map[string]any{"self": "OPTIONAL"}},
				map[string]any{"key": "security_question", "enroll": map[string]any{"self": "NOT_ALLOWED"}},
			},
		}
	}
	return map[string]any{
		"type": "FACTORS",
		"factors": map[string]any{
			"okta_otp":      map[string]any{"enroll": map[string]any{"self": req(true)}, "consent": map[string]any{"type": "NONE"}},
			"okta_push":     map[string]any{"enroll": map[string]any{"self": req(variant == 1)}, "consent": map[string]any{"type": "NONE"}},
			"okta_sms":      map[string]any{"enroll": map[string]any{"self": "OPTIONAL"}, "consent": map[string]any{"type": "NONE"}},
			"okta_question": map[string]any{"enroll": map[string]any{"self": "NOT_ALLOWED"}, "consent": map[string]any{"type": "NONE"}},
		},
	}
}

// buildPolicyRule generates rule number n of a policy; zones are network
// zone ids that network conditions may name.
func (g *orgGen) buildPolicyRule(policy *orgObj, n int, last bool, variant int, zones []string, status string) *orgObj {
	ptype := policy.kind
	rtype := ruleTypeFor(ptype)
	prefix := "0pr"
	if g.engine == engineOIE && (ptype == "ACCESS_POLICY" || ptype == "PROFILE_ENROLLMENT") {
		prefix = "rul"
	}
	id := newOktaID(g.rng, prefix)
	created := g.between(policy.created, g.now)
	lu := g.between(created, g.now)
	name := "Rule " + orgItoa(n+1)
	priority := n + 1
	system := false
	if last {
		name, priority, system = "Catch-all Rule", 99, true
	}
	var conditions, actions map[string]any
	network := map[string]any{"connection": "ANYWHERE"}
	if !last && len(zones) > 0 {
		if n%2 == 0 {
			network = map[string]any{"connection": "ZONE", "exclude": []string{zones[0]}}
		} else {
			network = map[string]any{"connection": "ZONE", "include": []string{zones[0]}}
		}
	}
	switch rtype {
	case "SIGN_ON":
		requireFactor := variant != 2 || !last
		idle, lifetime, persistent := 120, 720, false
		if variant == 2 {
			idle, lifetime, persistent = 1440, 43200, true
		} else if variant == 1 {
			idle, lifetime = 15, 240
		}
		conditions = map[string]any{
			"people": map[string]any{"users": map[string]any{"exclude": []string{}}}, "network": network,
			"authContext": map[string]any{"authType": "ANY"}, "risk": map[string]any{"behaviors": []string{}},
			"riskScore": map[string]any{"level": "ANY"}, "identityProvider": map[string]any{"provider": "ANY"},
		}
		signon := map[string]any{
			"access": "ALLOW", "requireFactor": requireFactor, "rememberDeviceByDefault": false,
			"primaryFactor": "PASSWORD_IDP_ANY_FACTOR",
			"session":       map[string]any{"maxSessionIdleMinutes": idle, "maxSessionLifetimeMinutes": lifetime, "usePersistentCookie": persistent},
		}
		if requireFactor {
			signon["factorPromptMode"] = "SESSION"
			signon["factorLifetime"] = 15
		}
		actions = map[string]any{"signon": signon}
	case "PASSWORD":
		conditions = map[string]any{"people": map[string]any{"users": map[string]any{"exclude": []string{}}}, "network": network}
		actions = map[string]any{
			"passwordChange":           map[string]any{"access": "ALLOW"},
			"selfServicePasswordReset": map[string]any{"access": "ALLOW"},
			"selfServiceUnlock":        map[string]any{"access": map[bool]string{true: "ALLOW", false: "DENY"}[variant == 2]},
		}
	case "MFA_ENROLL":
		conditions = map[string]any{"people": map[string]any{"users": map[string]any{"exclude": []string{}}}, "network": network}
		actions = map[string]any{"enroll": map[string]any{"self": map[bool]string{true: "LOGIN", false: "CHALLENGE"}[variant == 1]}}
	case "IDP_DISCOVERY":
		actions = map[string]any{"idp": map[string]any{"providers": []any{map[string]any{"type": "OKTA"}}}}
	case "ACCESS_POLICY":
		factorMode := "2FA"
		if variant == 2 {
			factorMode = "1FA"
		}
		conditions = map[string]any{"network": network}
		actions = map[string]any{"appSignOn": map[string]any{"access": "ALLOW", "verificationMethod": map[string]any{
			"factorMode": factorMode, "type": "ASSURANCE", "reauthenticateIn": "PT2H", "constraints": []any{}}}}
	case "PROFILE_ENROLLMENT":
		actions = map[string]any{"profileEnrollment": map[string]any{"access": "ALLOW", "activationRequirements": map[string]any{"emailVerification": true},
			"profileAttributes": []any{map[string]any{"name": "email", "label": "Email", "required": true}}, "unknownUserAction": "DENY"}}
	default:
		actions = map[string]any{}
	}
	links := map[string]any{"self": orgLinkAllow("/api/v1/policies/"+policy.id+"/rules/"+id, "GET", "PUT", "DELETE")}
	if status == "ACTIVE" {
		links["deactivate"] = orgLinkAllow("/api/v1/policies/"+policy.id+"/rules/"+id+"/lifecycle/deactivate", "POST")
	} else {
		links["activate"] = orgLinkAllow("/api/v1/policies/"+policy.id+"/rules/"+id+"/lifecycle/activate", "POST")
	}
	v := map[string]any{
		"id": id, "status": status, "name": name, "priority": priority, "system": system, "type": rtype,
		"created": orgMsTime(created), "lastUpdated": orgMsTime(lu), "actions": actions, "_links": links,
	}
	if conditions != nil {
		v["conditions"] = conditions
	} else {
		v["conditions"] = nil
	}
	return &orgObj{id: id, parent: policy.id, status: status, kind: rtype, name: name, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}
