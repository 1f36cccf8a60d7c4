package oktasim

// eventKind is one entry of the generator's catalog: an event type, how
// often it occurs relative to the others, and how its fields are filled.
type eventKind struct {
	eventType string
	legacy    string
	display   string
	weight    int
	fill      func(g *generator, e *genEvent)
}

// eventCatalog lists the generated event types with weights that resemble a
// Workforce org's log: sign-ins, SSO and policy evaluations dominate, admin
// changes and threats are rare. Weights are per mille.
var eventCatalog = []eventKind{
	{"user.session.start", "core.user_auth.login_success", "User login to Okta", 180, fillSignIn(true)},
	{"user.session.start", "core.user_auth.login_failed", "User login to Okta", 40, fillSignIn(false)},
	{"user.authentication.sso", "app.auth.sso", "User single sign on to app", 160, fillSSO},
	{"policy.evaluate_sign_on", "", "Evaluation of sign-on policy", 130, fillPolicyEvaluation},
	{"user.authentication.auth_via_mfa", "core.user.factor.attempt_success", "Authentication of user via MFA", 90, fillMFA(true)},
	{"user.authentication.auth_via_mfa", "core.user.factor.attempt_fail", "Authentication of user via MFA", 10, fillMFA(false)},
	{"app.oauth2.as.token.grant.access_token", "", "OAuth2 access token is granted", 80, fillTokenGrant},
	{"system.push.send_factor_verify_push", "", "A push was sent for MFA", 40, fillUserSelf("/idp/idx/challenge")},
	{"user.session.end", "core.user_auth.logout_success", "User logout from Okta", 50, fillUserSelf("/login/signout")},
	{"user.authentication.verify", "", "Verify user identity", 30, fillUserSelf("/idp/idx/challenge/answer")},
	{"user.session.access_admin_app", "", "User accessing Okta admin app", 15, fillAdminAccess},
	{"user.account.update_password", "core.user.config.password_update.success", "User update password for Okta", 10, fillUserSelf("/idp/idx/credential/enroll")},
	{"user.account.update_profile", "core.user.config.profile_update.success", "Update user profile for Okta", 10, fillAdminOnUser("/api/v1/users/%s", "INFO")},
	{"user.mfa.factor.activate", "core.user.factor.activate", "User set up MFA factor", 8, fillFactorChange},
	{"user.mfa.factor.deactivate", "core.user.factor.deactivate", "Reset factor for user", 3, fillFactorChange},
	{"user.mfa.factor.update", "", "Update factor for user", 3, fillFactorChange},
	{"user.mfa.okta_verify.deny_push", "", "User rejected Okta push verify", 5, fillDenyPush},
	{"group.user_membership.add", "core.user_group_member.user_add", "Add user to group membership", 15, fillMembership("group", "/api/v1/groups/%s/users/%s")},
	{"group.user_membership.remove", "core.user_group_member.user_remove", "Remove user from group membership", 7, fillMembership("group", "/api/v1/groups/%s/users/%s")},
	{"application.user_membership.add", "app.generic.provision.assign_user_to_app", "Add user to application membership", 10, fillMembership("app", "/api/v1/apps/%s/users/%s")},
	{"application.user_membership.remove", "app.generic.unauth_app_access_attempt", "Remove user from application membership", 3, fillMembership("app", "/api/v1/apps/%s/users/%s")},
	{"user.lifecycle.create", "core.user.config.user_creation.success", "Create Okta user", 3, fillAdminOnUser("/api/v1/users/%s", "INFO")},
	{"user.lifecycle.activate", "core.user.config.user_activated", "Activate Okta user", 3, fillAdminOnUser("/api/v1/users/%s/lifecycle/activate", "INFO")},
	{"user.lifecycle.deactivate", "core.user.config.user_deactivated", "Deactivate Okta user", 2, fillAdminOnUser("/api/v1/users/%s/lifecycle/deactivate", "INFO")},
	{"user.lifecycle.suspend", "core.user.config.user_suspended", "Suspend Okta user", 1, fillAdminOnUser("/api/v1/users/%s/lifecycle/suspend", "INFO")},
	{"user.account.lock", "core.user.account.locked", "Max sign in attempts exceeded", 5, fillLock},
	{"user.account.unlock_by_admin", "core.user.config.user_unlocked", "Unlock user account by admin", 1, fillAdminOnUser("/api/v1/users/%s/lifecycle/unlock", "INFO")},
	{"security.threat.detected", "", "Request from suspicious actor", 6, fillThreat},
	{"system.api_token.create", "api.token.create", "Create API token", 1, fillAdminOnObject("api_token", "/admin/access/api/tokens")},
	{"policy.lifecycle.update", "", "Update policy", 1, fillAdminOnObject("policy", "/api/v1/policies/%s")},
	{"policy.rule.update", "", "Update policy rule", 1, fillAdminOnObject("policy", "/api/v1/policies/%s/rules")},
	{"core.concurrency.org.limit.violation", "", "Concurrency limit violation", 1, fillRateLimitSignal},
	{"system.org.rate_limit.warning", "", "Rate limit warning", 1, fillRateLimitSignal},
}
