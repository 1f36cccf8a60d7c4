package oktasim

import "fmt"

// The fill functions of eventCatalog: each sets the fields that make its
// event type look like Okta's (actor, targets, auth context, URIs, outcome).

func fillSignIn(success bool) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		e.actor = g.sample("user")
		e.requestURI = "/idp/idx/identify"
		if success {
			g.session(e)
			e.authProvider, e.credType = "OKTA_AUTHENTICATION_PROVIDER", "PASSWORD"
			e.targets = []EventTarget{
				{ID: hashAlnum("lae", 17, e.actor.ID, "password"), Type: "AuthenticatorEnrollment", DisplayName: "Password"},
				g.dashboard,
			}
			e.profile = g.homeProfile(e.actor.ID)
			e.debugExtra = [][2]string{{"deviceFingerprint", hashHex(32, e.actor.ID, e.profile.ip)}}
			return
		}
		e.severity, e.outcome = "WARN", "FAILURE"
		e.requestURI = "/idp/idx/challenge/answer"
		if g.rng.IntN(2) == 0 {
			e.reason = "INVALID_CREDENTIALS"
			e.profile = g.pick(g.hostile)
			e.threatSuspected = g.rng.IntN(3) == 0
		} else {
			e.reason = "VERIFICATION_ERROR"
			e.profile = g.homeProfile(e.actor.ID)
		}
		e.debugExtra = [][2]string{{"loginResult", "VERIFICATION_ERROR"}}
	}
}

func fillSSO(g *generator, e *genEvent) {
	e.actor = g.sample("user")
	app := g.sample("app")
	g.session(e)
	e.targets = []EventTarget{app, {ID: e.actor.ID, Type: "AppUser", AlternateID: e.actor.AlternateID, DisplayName: e.actor.DisplayName}}
	e.requestURI = fmt.Sprintf("/app/example_app/%s/sso/saml", app.ID)
	e.debugExtra = [][2]string{{"initiationType", "IDP_INITIATED"}, {"signOnMode", "SAML 2.0"}}
}

func fillPolicyEvaluation(g *generator, e *genEvent) {
	e.actor = g.sample("user")
	policy := g.sample("policy")
	g.session(e)
	rule := EventTarget{ID: hashAlnum("0pr", 17, policy.ID), Type: "PolicyRule", AlternateID: "unknown", DisplayName: "Catch-all Rule"}
	e.targets = []EventTarget{policy, rule}
	e.requestURI = "/idp/idx/introspect"
	switch r := g.rng.IntN(20); {
	case r < 14:
		e.outcome, e.reason = "ALLOW", "Sign-on policy evaluation resulted in ALLOW"
	case r < 19:
		e.outcome, e.reason = "CHALLENGE", "Sign-on policy evaluation resulted in CHALLENGE"
	default:
		e.outcome, e.reason = "DENY", "Sign-on policy evaluation resulted in DENY"
		e.profile = g.pick(g.hostile)
	}
	e.debugExtra = [][2]string{{"behaviors", "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE}"}}
}

func fillMFA(success bool) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		e.actor = g.sample("user")
		g.session(e)
		e.authProvider, e.credProvider, e.credType = "FACTOR_PROVIDER", "OKTA_CREDENTIAL_PROVIDER", "OTP"
		e.targets = []EventTarget{{ID: hashAlnum("pfd", 17, e.actor.ID, "okta_verify"), Type: "AuthenticatorEnrollment", DisplayName: "Okta Verify"}}
		e.requestURI = "/idp/idx/authenticators/poll"
		e.debugExtra = [][2]string{{"factor", "OKTA_VERIFY_PUSH"}, {"factorIntent", "AUTHENTICATION"}}
		if !success {
			e.severity, e.outcome, e.reason = "WARN", "FAILURE", "INVALID_CREDENTIALS"
		}
	}
}

func fillTokenGrant(g *generator, e *genEvent) {
	app := g.sample("app")
	e.actor = EventTarget{ID: app.ID, Type: "PublicClientApp", AlternateID: app.AlternateID, DisplayName: app.DisplayName}
	e.issuerID, e.issuerType = g.authzID, "AuthorizationServer"
	e.credType = "OAUTH2"
	e.targets = []EventTarget{{ID: "AT." + g.randomAlnum(20), Type: "access_token", AlternateID: "unknown", DisplayName: "Access Token"}}
	e.requestURI = "/oauth2/" + g.authzID + "/v1/token"
	e.profile = g.pick(g.services)
	e.debugExtra = [][2]string{{"grantType", "client_credentials"}, {"grantedScopes", "okta.users.read okta.logs.read"}}
}

func fillUserSelf(uri string) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		e.actor = g.sample("user")
		g.session(e)
		e.targets = []EventTarget{e.actor}
		e.requestURI = uri
	}
}

func fillAdminAccess(g *generator, e *genEvent) {
	e.actor = g.sample("admin")
	g.session(e)
	e.targets = []EventTarget{{ID: hashAlnum("0oa", 17, "admin-console"), Type: "AppInstance", AlternateID: "Okta Admin Console", DisplayName: "Okta Admin Console"}}
	e.requestURI = "/admin/sso/callback"
}

// adminActor sets an administrator acting through the API with a token
// (three cases in four) or the Admin Console.
func adminActor(g *generator, e *genEvent) {
	e.actor = g.sample("admin")
	g.session(e)
	if g.rng.IntN(4) != 0 {
		e.apiTokenID = g.sample("api_token").ID
		e.profile = g.pick(g.services)
	}
}

func fillAdminOnUser(uriFormat, severity string) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		adminActor(g, e)
		user := g.sample("user")
		e.targets = []EventTarget{user}
		e.severity = severity
		e.requestURI = fmt.Sprintf(uriFormat, user.ID)
		if e.eventType == "user.account.update_profile" {
			e.targets[0].ChangeFrom = map[string]any{"title": "Engineer"}
			e.targets[0].ChangeTo = map[string]any{"title": "Senior Engineer"}
		}
	}
}

func fillAdminOnObject(kind, uriFormat string) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		adminActor(g, e)
		obj := g.sample(kind)
		e.targets = []EventTarget{obj}
		e.requestURI = uriFormat
		if kind == "policy" {
			e.requestURI = fmt.Sprintf(uriFormat, obj.ID)
			e.targets[0].ChangeFrom = map[string]any{"status": "ACTIVE"}
			e.targets[0].ChangeTo = map[string]any{"status": "ACTIVE", "priority": 1}
		}
	}
}

func fillFactorChange(g *generator, e *genEvent) {
	e.actor = g.sample("user")
	g.session(e)
	e.targets = []EventTarget{e.actor, {ID: hashAlnum("opf", 17, e.actor.ID), Type: "AuthenticatorEnrollment", DisplayName: "Okta Verify"}}
	e.requestURI = "/idp/idx/credential/enroll"
}

func fillDenyPush(g *generator, e *genEvent) {
	fillFactorChange(g, e)
	e.severity, e.outcome, e.reason = "WARN", "FAILURE", "User rejected Okta push verify"
	e.requestURI = "/idp/idx/authenticators/poll"
}

func fillMembership(kind, uriFormat string) func(g *generator, e *genEvent) {
	return func(g *generator, e *genEvent) {
		adminActor(g, e)
		user, container := g.sample("user"), g.sample(kind)
		e.targets = []EventTarget{user, container}
		e.requestURI = fmt.Sprintf(uriFormat, container.ID, user.ID)
	}
}

func fillLock(g *generator, e *genEvent) {
	e.actor = g.sample("user")
	e.severity, e.outcome, e.reason = "WARN", "FAILURE", "LOCKED_OUT"
	e.profile = g.pick(g.hostile)
	e.requestURI = "/idp/idx/challenge/answer"
}

func fillThreat(g *generator, e *genEvent) {
	e.actor = EventTarget{ID: "unknown", Type: "User", AlternateID: "unknown", DisplayName: "unknown"}
	e.severity, e.outcome = "WARN", "DENY"
	reasons := []string{"Password Spray", "Brute Force", "Login failures with high unknown users count"}
	e.reason = reasons[g.rng.IntN(len(reasons))]
	e.profile = g.pick(g.hostile)
	e.threatSuspected = true
	e.requestURI = "/api/v1/authn"
	e.debugExtra = [][2]string{{"threatDetections", fmt.Sprintf(`{"%s":"HIGH"}`, e.reason)}}
}

func fillRateLimitSignal(g *generator, e *genEvent) {
	e.actor = EventTarget{ID: hashAlnum("0oa", 17, "system"), Type: "PublicClientApp", AlternateID: "Okta System", DisplayName: "Okta System"}
	e.severity, e.outcome = "WARN", "DENY"
	e.targets = []EventTarget{{ID: "/api/v1/logs", Type: "URL Pattern", AlternateID: "unknown", DisplayName: "/api/v1/logs"}}
	e.profile = g.pick(g.services)
	e.requestURI = "/api/v1/logs"
	e.debugExtra = [][2]string{{"operationRateLimitScopeType", "ORG"}, {"operationRateLimitThreshold", "120"}}
}
