package resource

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryTypeIsFullySpecified checks each entry on its own and against the others: adding a
// type is adding an entry, and an entry that misses something a part of the receiver reads
// fails here rather than at a sync.
func TestEveryTypeIsFullySpecified(t *testing.T) {
	seen := map[Type]int{}
	aliases := map[string]bool{}
	prefixes := map[string]Type{}
	idAttrs := map[string]Type{}
	for i, s := range All() {
		t.Run(string(s.Type), func(t *testing.T) {
			require.NotEmpty(t, s.Type)
			assert.Equal(t, strings.ToLower(string(s.Type)), string(s.Type), "type names are lower case")
			_, dup := seen[s.Type]
			require.False(t, dup, "listed twice")
			seen[s.Type] = i
			assert.True(t, strings.HasPrefix(s.Scope, "okta.") && strings.HasSuffix(s.Scope, ".read"), "a read scope: %q", s.Scope)

			// Where a full sync reads it.
			if len(s.Principals) > 0 {
				assert.Empty(t, s.Lists, "listed under principals only")
				for _, p := range s.Principals {
					assert.NotNil(t, Lookup(p.Type), "principal type %s", p.Type)
					assert.Less(t, seen[p.Type], i, "principal type %s is listed first", p.Type)
					assert.True(t, (p.Holders != nil) != (p.Flag != ""), "principals found by a listing or by a flag")
					assert.Contains(t, p.List.Path, "{parent}")
					assert.Contains(t, p.Get, "{parent}")
					assert.Contains(t, p.Get, "{id}")
				}
			} else {
				require.NotEmpty(t, s.Lists, "no listing")
				assert.NotEmpty(t, s.Get, "no single-object path (event-driven refetch)")
			}
			for _, l := range s.Lists {
				assert.True(t, strings.HasPrefix(l.Path, "/api/v1/"), l.Path)
				assert.NotContains(t, l.Path, "?", "query parameters belong in Query")
				assert.Equal(t, s.Parent != "", strings.Contains(l.Path, "{parent}"), "a child type is listed under its parent: %s", l.Path)
				assert.GreaterOrEqual(t, l.PageSize, 0)
			}
			if s.Kinds != nil {
				assert.NotEmpty(t, s.Kinds.Param)
				assert.NotEmpty(t, s.Kinds.Classic)
			}
			switch {
			case s.ID == OrgID || s.ID == OwnOrOrgID:
				assert.NotContains(t, s.Get, "{id}", "one object per org")
			case s.Get != "":
				assert.Contains(t, s.Get, "{id}")
			}
			if s.Parent != "" {
				parent := Lookup(s.Parent)
				require.NotNil(t, parent, "parent %s", s.Parent)
				assert.Less(t, seen[s.Parent], i, "the parent is listed first")
				assert.NotEmpty(t, parent.IDAttr, "the parent's records name it")
			}
			if s.ID == Composite {
				assert.True(t, s.Parent != "" || len(s.Principals) > 0, "a composite id needs a parent")
			}
			if s.Incremental != nil {
				assert.Empty(t, s.Parent)
				assert.Contains(t, strings.Join(queryValues(s.Incremental.Query), " "), "{since}")
			}

			// How its records are described.
			for _, d := range s.Dims {
				assert.NotEmpty(t, d)
			}
			for _, a := range s.Attrs {
				switch a.From {
				case FromParent:
					assert.True(t, s.Parent != "" || len(s.Principals) > 0, "FromParent without a parent")
					if a.Key == "" {
						assert.NotEmpty(t, s.Principals, "an empty key needs principals of several types")
					}
				case FromParentDim:
					require.NotEmpty(t, s.Parent)
					assert.Less(t, a.Dim, len(Lookup(s.Parent).Dims), "the parent has that dimension")
					assert.NotEmpty(t, a.Key)
				case FromField:
					assert.NotEmpty(t, a.Path)
					assert.NotEmpty(t, a.Key)
				default:
					assert.NotEmpty(t, a.Key)
				}
			}
			if s.IDAttr != "" {
				other, dup := idAttrs[s.IDAttr]
				assert.False(t, dup, "IDAttr %s is also %s's", s.IDAttr, other)
				idAttrs[s.IDAttr] = s.Type
			}

			// Which events change it.
			for _, r := range s.Events {
				assert.True(t, strings.HasSuffix(r.Prefix, "."), "a prefix ends a segment: %q", r.Prefix)
				other, dup := prefixes[r.Prefix]
				assert.False(t, dup, "prefix %q is also %s's", r.Prefix, other)
				prefixes[r.Prefix] = s.Type
				assert.NotEmpty(t, r.Target)
				if r.Children || r.ParentTarget != "" {
					assert.NotEmpty(t, s.Parent, "%q names a child", r.Prefix)
				}
				if r.RefreshParent {
					assert.NotEmpty(t, r.ParentTarget, "the parent must be named to be read again")
				}
				if !r.Children {
					assert.NotEmpty(t, s.Get, "a refetched object needs a path")
				}
			}

			// Where its secrets are.
			for _, p := range s.Secrets {
				for seg := range strings.SplitSeq(p, ".") {
					assert.NotEmpty(t, strings.TrimSuffix(seg, "[]"), "secret path %q", p)
				}
			}
			for _, a := range s.Aliases {
				assert.Nil(t, Lookup(Type(a)), "alias %q is a type", a)
				assert.False(t, aliases[a], "alias %q twice", a)
				aliases[a] = true
			}
		})
	}
	assert.Len(t, seen, 24)
	assert.Equal(t, Org, Types()[0], "the org is listed first")
}

func queryValues(ps []Param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Value)
	}
	return out
}

// TestDefaultScopes pins the default OAuth scopes (the README lists them): a type added
// without a scope, or with a new one, shows here.
func TestDefaultScopes(t *testing.T) {
	assert.Equal(t, []string{
		"okta.apiTokens.read", "okta.apps.read", "okta.authenticators.read",
		"okta.authorizationServers.read", "okta.eventHooks.read", "okta.features.read",
		"okta.groups.read", "okta.idps.read", "okta.logStreams.read", "okta.logs.read",
		"okta.networkZones.read", "okta.orgs.read", "okta.policies.read", "okta.roles.read",
		"okta.threatInsights.read", "okta.trustedOrigins.read", "okta.userTypes.read", "okta.users.read",
	}, Scopes("okta.logs.read"))
}

func TestListRequest(t *testing.T) {
	users := Lookup(User)
	assert.Equal(t, "/api/v1/users?limit=200", users.Lists[0].Request("", ""))
	assert.Equal(t, "/api/v1/users?limit=200&search=status+eq+%22DEPROVISIONED%22", users.Lists[1].Request("", ""))
	assert.Equal(t, "/api/v1/users?limit=200&search=lastUpdated+gt+%222026-01-02T03%3A04%3A05.000Z%22",
		users.Incremental.Request("", "2026-01-02T03:04:05.000Z"))
	assert.Equal(t, "/api/v1/groups?limit=10000&expand=stats", Lookup(Group).Lists[0].Request("", ""))
	assert.Equal(t, "/api/v1/apps/0oa%2F1/users?limit=500", Lookup(ApplicationUser).Lists[0].Request("0oa/1", ""))
	assert.Equal(t, "/api/v1/policies?type=PASSWORD", Lookup(Policy).Lists[0].Request("", "", Param{"type", "PASSWORD"}))
	assert.Equal(t, "/api/v1/groups/00g1?expand=stats", Lookup(Group).GetPath("", "", "00g1"))
	assert.Equal(t, "/api/v1/users/00u1/factors/f%2F1", Lookup(UserFactor).GetPath("", "00u1", "f/1"))
	assert.Equal(t, "/api/v1/groups/00g1/roles/ra1", Lookup(AdminRoleAssignment).GetPath(Group, "00g1", "ra1"))
	assert.Equal(t, "/api/v1/users/00u1/roles/ra1", Lookup(AdminRoleAssignment).GetPath(User, "00u1", "ra1"))
	assert.Equal(t, []string{"OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "IDP_DISCOVERY"}, Lookup(Policy).Kinds.For(true))
	assert.Len(t, Lookup(Policy).Kinds.For(false), 12)
}

// TestEventRuleForTakesTheLongestPrefix: a more specific family wins over a broader one.
func TestEventRuleForTakesTheLongestPrefix(t *testing.T) {
	for eventType, want := range map[string]Type{
		"application.user_membership.add": ApplicationUser,
		"application.lifecycle.update":    Application,
		"policy.rule.update":              PolicyRule,
		"policy.lifecycle.update":         Policy,
		"group.user_membership.remove":    GroupMembership,
		"group.profile.update":            Group,
		"user.mfa.factor.activate":        UserFactor,
		"user.lifecycle.suspend":          User,
		"system.api_token.revoke":         APIToken,
		"zone.update":                     NetworkZone,
	} {
		s, r := EventRuleFor(eventType)
		require.NotNil(t, r, eventType)
		assert.Equal(t, want, s.Type, eventType)
	}
	for _, eventType := range []string{"user.session.start", "user.authentication.sso", "zone", ""} {
		_, r := EventRuleFor(eventType)
		assert.Nil(t, r, eventType)
	}
}

func TestPathReadsTypedValues(t *testing.T) {
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"id":"00g1","n":42,"f":1.5,"b":true,"profile":{"name":"Admins","deep":{"x":"y"}},"list":[1],"nul":null}`))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&obj))
	assert.Equal(t, "00g1", Path("id").Text(obj))
	assert.Equal(t, "Admins", Path("profile.name").Text(obj))
	assert.Equal(t, "y", Path("profile.deep.x").Text(obj))
	assert.Equal(t, "42", Path("n").Text(obj))
	assert.Equal(t, "true", Path("b").Text(obj))
	assert.Equal(t, "true", Path("b").Text(map[string]any{"b": true}))
	assert.Equal(t, "1.5", Path("f").Text(map[string]any{"f": 1.5}))
	for _, p := range []Path{"missing", "profile", "list", "nul", "id.x", "profile.name.x", "profile.missing"} {
		assert.Empty(t, p.Text(obj), p)
	}
	assert.Equal(t, int64(42), Path("n").Int(obj))
	assert.Equal(t, int64(7), Path("n").Int(map[string]any{"n": 7.9}))
	assert.Zero(t, Path("id").Int(obj))
	assert.True(t, Path("b").Bool(obj))
	assert.False(t, Path("id").Bool(obj))
	assert.False(t, Path("x.y").Bool(nil))
}

func TestAliases(t *testing.T) {
	assert.Equal(t, ApplicationUser, Alias("app_users"))
	assert.Equal(t, AdminRoleAssignment, Alias("roles"))
	assert.Empty(t, Alias("user"))
	assert.True(t, slices.Contains(Types(), GroupMembership))
	assert.True(t, Lookup(GroupMembership).DefaultDisabled)
}
