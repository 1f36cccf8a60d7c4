package resource

// The resource types.
const (
	Org                 Type = "org"
	OktaSupport         Type = "okta_support"
	ThreatInsight       Type = "threat_insight"
	Feature             Type = "feature"
	UserType            Type = "user_type"
	User                Type = "user"
	UserFactor          Type = "user_factor"
	Group               Type = "group"
	GroupMembership     Type = "group_membership"
	GroupRule           Type = "group_rule"
	Application         Type = "application"
	ApplicationUser     Type = "application_user"
	ApplicationGroup    Type = "application_group"
	Policy              Type = "policy"
	PolicyRule          Type = "policy_rule"
	Authenticator       Type = "authenticator"
	AuthorizationServer Type = "authorization_server"
	IdentityProvider    Type = "identity_provider"
	NetworkZone         Type = "network_zone"
	TrustedOrigin       Type = "trusted_origin"
	AdminRoleAssignment Type = "admin_role_assignment"
	APIToken            Type = "api_token"
	EventHook           Type = "event_hook"
	LogStream           Type = "log_stream"
)

// Attributes that name a related object on inventory records.
const (
	AttrUserID        = "okta.user.id"
	AttrGroupID       = "okta.group.id"
	AttrApplicationID = "okta.application.id"
	AttrPolicyID      = "okta.policy.id"
	AttrPolicyType    = "okta.policy.type"
)

// table lists every type in the order a full sync visits them: the org first, parents before
// their children, groups (which flag the admin groups) before admin role assignments.
var table = []Spec{
	{
		Type:  Org,
		Scope: "okta.orgs.read",
		Lists: []List{{Path: "/api/v1/org"}},
		Get:   "/api/v1/org",
		ID:    OwnOrOrgID,
		Name:  "companyName",
	},
	{
		Type:   OktaSupport,
		Scope:  "okta.orgs.read",
		Lists:  []List{{Path: "/api/v1/org/privacy/oktaSupport"}},
		Get:    "/api/v1/org/privacy/oktaSupport",
		ID:     OrgID,
		Status: "support",
	},
	{
		Type:   ThreatInsight,
		Scope:  "okta.threatInsights.read",
		Lists:  []List{{Path: "/api/v1/threats/configuration"}},
		Get:    "/api/v1/threats/configuration",
		ID:     OrgID,
		Status: "action",
	},
	{
		Type:  Feature,
		Scope: "okta.features.read",
		Lists: []List{{Path: "/api/v1/features"}},
		Get:   "/api/v1/features/{id}",
	},
	{
		Type:  UserType,
		Scope: "okta.userTypes.read",
		Lists: []List{{Path: "/api/v1/meta/types/user"}},
		Get:   "/api/v1/meta/types/user/{id}",
	},
	{
		Type:    User,
		Audited: []string{"status", "profile.*", "credentials.provider"},
		Scope:   "okta.users.read",
		// The plain list hides DEPROVISIONED users: a search lists them.
		Lists: []List{
			{Path: "/api/v1/users", PageSize: 200},
			{Path: "/api/v1/users", PageSize: 200, Query: []Param{{"search", `status eq "DEPROVISIONED"`}}},
		},
		Get: "/api/v1/users/{id}",
		// search (not filter) includes DEPROVISIONED users.
		Incremental: &List{Path: "/api/v1/users", PageSize: 200, Query: []Param{{"search", `lastUpdated gt "{since}"`}}},
		Name:        "profile.login",
		Dims:        []Path{"status"},
		IDAttr:      AttrUserID,
		Events: []EventRule{
			{Prefix: "user.lifecycle.", Target: "User"},
			{Prefix: "user.account.", Target: "User"},
		},
		Secrets: userSecrets,
	},
	{
		Type:        UserFactor,
		Aliases:     []string{"factors"},
		Scope:       "okta.users.read",
		Parent:      User,
		SkipParents: "DEPROVISIONED",
		Lists:       []List{{Path: "/api/v1/users/{parent}/factors"}},
		Get:         "/api/v1/users/{parent}/factors/{id}",
		Name:        "factorType",
		Dims:        []Path{"factorType", "status"},
		Attrs:       []Attr{{Key: AttrUserID, From: FromParent}},
		Events:      []EventRule{{Prefix: "user.mfa.factor.", Target: "User", ActorFallback: true, Children: true}},
		Secrets:     []string{"profile.sharedSecret", "profile.answer"},
	},
	{
		Type:    Group,
		Audited: []string{"profile.*"},
		Scope:   "okta.groups.read",
		// expand=stats adds the member count and the admin privilege flag.
		Lists:       []List{{Path: "/api/v1/groups", PageSize: 10000, Query: []Param{{"expand", "stats"}}}},
		Get:         "/api/v1/groups/{id}?expand=stats",
		Incremental: &List{Path: "/api/v1/groups", PageSize: 10000, Query: []Param{{"expand", "stats"}, {"filter", `lastUpdated gt "{since}"`}}},
		Name:        "profile.name",
		Dims:        []Path{"type"},
		Count:       "_embedded.stats.usersCount",
		KeepName:    true,
		IDAttr:      AttrGroupID,
		Attrs:       []Attr{{Key: AttrGroupID, From: FromID}},
		Events: []EventRule{
			{Prefix: "group.lifecycle.", Target: "UserGroup"},
			{Prefix: "group.profile.", Target: "UserGroup"},
		},
	},
	{
		// One request per group and one record per (group, user) pair: off by default.
		Type:            GroupMembership,
		DefaultDisabled: true,
		Aliases:         []string{"group_members"},
		Scope:           "okta.groups.read",
		Parent:          Group,
		Lists:           []List{{Path: "/api/v1/groups/{parent}/users", PageSize: 1000}},
		// A group member is the user object itself.
		Get:   "/api/v1/users/{id}",
		ID:    Composite,
		Name:  "profile.login",
		Dims:  []Path{"status"},
		Attrs: []Attr{{Key: AttrGroupID, From: FromParent}, {Key: AttrUserID, From: FromID}},
		Events: []EventRule{{Prefix: "group.user_membership.", Target: "User", ParentTarget: "UserGroup",
			RemovedSuffix: ".remove", RefreshParent: true}},
		Secrets: userSecrets,
	},
	{
		Type:  GroupRule,
		Scope: "okta.groups.read",
		Lists: []List{{Path: "/api/v1/groups/rules", PageSize: 200}},
		Get:   "/api/v1/groups/rules/{id}",
		Dims:  []Path{"status"},
	},
	{
		Type:     Application,
		Audited:  []string{"status", "label", "signOnMode"},
		Aliases:  []string{"apps"},
		Scope:    "okta.apps.read",
		Lists:    []List{{Path: "/api/v1/apps", PageSize: 200}},
		Get:      "/api/v1/apps/{id}",
		Name:     "label",
		Dims:     []Path{"status", "signOnMode"},
		KeepName: true,
		IDAttr:   AttrApplicationID,
		Attrs:    []Attr{{Key: AttrApplicationID, From: FromID}},
		Events:   []EventRule{{Prefix: "application.", Target: "AppInstance"}},
		Secrets: append([]string{
			"credentials.oauthClient.client_secret",
			"credentials.password.value", "credentials.password.hash.value",
		}, jwkPrivatePaths("settings.oauthClient.jwks.keys[]")...),
	},
	{
		Type:    ApplicationUser,
		Aliases: []string{"app_users"},
		Scope:   "okta.apps.read",
		Parent:  Application,
		Lists:   []List{{Path: "/api/v1/apps/{parent}/users", PageSize: 500}},
		Get:     "/api/v1/apps/{parent}/users/{id}",
		ID:      Composite,
		Name:    "credentials.userName",
		Dims:    []Path{"status"},
		Attrs:   []Attr{{Key: AttrApplicationID, From: FromParent}, {Key: AttrUserID, From: FromID}},
		Events:  []EventRule{{Prefix: "application.user_membership.", Target: "AppInstance", Children: true}},
		Secrets: []string{"credentials.password.value"},
	},
	{
		Type:    ApplicationGroup,
		Aliases: []string{"app_groups"},
		Scope:   "okta.apps.read",
		Parent:  Application,
		Lists:   []List{{Path: "/api/v1/apps/{parent}/groups", PageSize: 200}},
		Get:     "/api/v1/apps/{parent}/groups/{id}",
		ID:      Composite,
		Name:    "_embedded.group.profile.name",
		Attrs:   []Attr{{Key: AttrApplicationID, From: FromParent}, {Key: AttrGroupID, From: FromID}},
	},
	{
		Type:    Policy,
		Audited: []string{"status", "name", "priority", "conditions.*", "settings.*"},
		Aliases: []string{"policies"},
		Scope:   "okta.policies.read",
		Lists:   []List{{Path: "/api/v1/policies"}},
		// Identity Engine orgs serve every policy type, Classic orgs only the first four. The
		// engine decides which are asked, and nothing else.
		Kinds: &Kinds{
			Param:   "type",
			Classic: []string{"OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "IDP_DISCOVERY"},
			IdentityEngine: []string{"ACCESS_POLICY", "PROFILE_ENROLLMENT", "ENTITY_RISK", "POST_AUTH_SESSION",
				"SESSION_VIOLATION_DETECTION", "DEVICE_SIGNAL_COLLECTION", "CLIENT_UPDATE", "IDENTITY_CLAIM_SOURCING"},
		},
		Get:      "/api/v1/policies/{id}",
		Dims:     []Path{"type", "status"},
		KeepName: true,
		IDAttr:   AttrPolicyID,
		Attrs:    []Attr{{Key: AttrPolicyID, From: FromID}, {Key: AttrPolicyType, From: FromField, Path: "type"}},
		Events:   []EventRule{{Prefix: "policy.", Target: "PolicyEntity"}},
	},
	{
		Type:    PolicyRule,
		Audited: []string{"status", "name", "priority", "conditions.*", "actions.*"},
		Scope:   "okta.policies.read",
		Parent:  Policy,
		Lists:   []List{{Path: "/api/v1/policies/{parent}/rules"}},
		Get:     "/api/v1/policies/{parent}/rules/{id}",
		Dims:    []Path{"status"},
		// The policy type is the parent policy's first metric dimension.
		Attrs:  []Attr{{Key: AttrPolicyID, From: FromParent}, {Key: AttrPolicyType, From: FromParentDim, Dim: 0}},
		Events: []EventRule{{Prefix: "policy.rule.", Target: "PolicyEntity", Children: true}},
	},
	{
		Type:    Authenticator,
		Scope:   "okta.authenticators.read",
		Lists:   []List{{Path: "/api/v1/authenticators"}},
		Get:     "/api/v1/authenticators/{id}",
		Secrets: []string{"provider.configuration.secretKey"},
	},
	{
		Type:    AuthorizationServer,
		Scope:   "okta.authorizationServers.read",
		Lists:   []List{{Path: "/api/v1/authorizationServers", PageSize: 200}},
		Get:     "/api/v1/authorizationServers/{id}",
		Secrets: jwkPrivatePaths("jwks.keys[]"),
	},
	{
		Type:    IdentityProvider,
		Audited: []string{"status", "name", "protocol.*", "policy.*"},
		Aliases: []string{"idps"},
		Scope:   "okta.idps.read",
		Lists:   []List{{Path: "/api/v1/idps", PageSize: 200}},
		Get:     "/api/v1/idps/{id}",
		Secrets: []string{
			"protocol.credentials.client.client_secret",
			"protocol.credentials.signing.privateKey",
			"protocol.credentials.bearer.apiKey",
		},
	},
	{
		Type:    NetworkZone,
		Audited: []string{"status", "name", "gateways", "proxies", "locations", "asns"},
		Aliases: []string{"zones"},
		Scope:   "okta.networkZones.read",
		Lists:   []List{{Path: "/api/v1/zones"}},
		Get:     "/api/v1/zones/{id}",
		Events:  []EventRule{{Prefix: "zone.", Target: "NetworkZone"}},
	},
	{
		Type:  TrustedOrigin,
		Scope: "okta.trustedOrigins.read",
		Lists: []List{{Path: "/api/v1/trustedOrigins", PageSize: 200}},
		Get:   "/api/v1/trustedOrigins/{id}",
	},
	{
		Type:    AdminRoleAssignment,
		Aliases: []string{"roles"},
		Scope:   "okta.roles.read",
		Principals: []Principal{
			{
				Type:    User,
				Holders: &List{Path: "/api/v1/iam/assignees/users", PageSize: 100, BodyKey: "value"},
				List:    List{Path: "/api/v1/users/{parent}/roles"},
				Get:     "/api/v1/users/{parent}/roles/{id}",
				Skip:    &Match{Field: "assignmentType", Value: "GROUP"},
			},
			{
				Type: Group,
				Flag: "_embedded.stats.hasAdminPrivilege",
				List: List{Path: "/api/v1/groups/{parent}/roles"},
				Get:  "/api/v1/groups/{parent}/roles/{id}",
			},
		},
		// An assignment id is unique per principal only.
		ID:    Composite,
		Name:  "label",
		Dims:  []Path{"type"},
		Attrs: []Attr{{From: FromParent}},
	},
	{
		Type:   APIToken,
		Scope:  "okta.apiTokens.read",
		Lists:  []List{{Path: "/api/v1/api-tokens"}},
		Get:    "/api/v1/api-tokens/{id}",
		Attrs:  []Attr{{Key: AttrUserID, From: FromField, Path: "userId"}},
		Events: []EventRule{{Prefix: "system.api_token.", Target: "Token"}},
	},
	{
		Type:    EventHook,
		Scope:   "okta.eventHooks.read",
		Lists:   []List{{Path: "/api/v1/eventHooks"}},
		Get:     "/api/v1/eventHooks/{id}",
		Secrets: []string{"channel.config.authScheme.value", "channel.config.headers[].value"},
	},
	{
		Type:    LogStream,
		Scope:   "okta.logStreams.read",
		Lists:   []List{{Path: "/api/v1/logStreams", PageSize: 200}},
		Get:     "/api/v1/logStreams/{id}",
		Secrets: []string{"settings.token"},
	},
}

// The secrets of a user object (and of a group member, which is one): OAuth client secrets,
// private keys and the private members of JSON Web Keys, shared secrets, hook authentication
// values, log stream tokens, recovery answers and passwords sit at the paths of Spec.Secrets,
// taken from the Okta management API's schemas. Many are write-only (Okta does not return
// them); they are listed all the same, so that an answer that carries one never reaches
// telemetry. A key that names a secret in one place names a setting in another (a password
// policy's settings.password.complexity.minLength), so only these exact places are secrets.
var userSecrets = []string{
	"credentials.password.value", "credentials.password.hash.value", "credentials.recovery_question.answer",
}

// privateJWKMembers are the private members of a JSON Web Key (RFC 7518 sections 6.2.2,
// 6.3.2 and 6.4): an EC or RSA private key, RSA primes and CRT values, a symmetric key.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// jwkPrivatePaths returns the paths of the private members of the JWKs at jwk.
func jwkPrivatePaths(jwk string) []string {
	out := make([]string, 0, len(privateJWKMembers))
	for _, m := range privateJWKMembers {
		out = append(out, jwk+"."+m)
	}
	return out
}

// byType indexes table.
var byType = func() map[Type]*Spec {
	m := make(map[Type]*Spec, len(table))
	for i := range table {
		m[table[i].Type] = &table[i]
	}
	return m
}()

// All returns every type's spec in the order a full sync visits them. The specs are shared:
// do not modify them.
func All() []*Spec {
	out := make([]*Spec, len(table))
	for i := range table {
		out[i] = &table[i]
	}
	return out
}

// Types returns every type, in the order of All.
func Types() []Type {
	out := make([]Type, len(table))
	for i := range table {
		out[i] = table[i].Type
	}
	return out
}

// Lookup returns the spec of t, or nil for a name that is no resource type.
func Lookup(t Type) *Spec { return byType[t] }

// Alias returns the type an alias stands for ("apps" for application), or "".
func Alias(name string) Type {
	for i := range table {
		for _, a := range table[i].Aliases {
			if a == name {
				return table[i].Type
			}
		}
	}
	return ""
}
