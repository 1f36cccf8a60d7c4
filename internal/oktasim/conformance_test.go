package oktasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The conformance test validates the simulator's responses against the
// schemas of Okta's management OpenAPI spec (../shared/okta/spec/
// management-minimal.yaml), loaded once per test binary.

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path := sharedPath(t, "okta/spec/management-minimal.yaml")
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		loader.Context = context.Background()
		specDoc, specErr = loader.LoadFromFile(path)
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", path, specErr)
	}
	return specDoc
}

// responseSchema is the 200 application/json schema of GET specPath.
func responseSchema(t *testing.T, doc *openapi3.T, specPath string) *openapi3.Schema {
	t.Helper()
	item := doc.Paths.Find(specPath)
	if item == nil || item.Get == nil {
		t.Fatalf("spec has no GET %s", specPath)
	}
	resp := item.Get.Responses.Status(http.StatusOK)
	if resp == nil || resp.Value == nil {
		t.Fatalf("spec has no 200 response for GET %s", specPath)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Fatalf("spec has no application/json schema for GET %s", specPath)
	}
	return mt.Schema.Value
}

// conformanceCase is one request and the spec operation that documents it.
type conformanceCase struct {
	specPath string // path template in the spec
	path     string // request path, with {placeholders} filled from ids
}

func TestConformanceEveryEndpoint(t *testing.T) {
	doc := loadSpec(t)
	for _, engine := range []string{engineOIE, engineClassic} {
		t.Run(engine, func(t *testing.T) {
			s := startOrgSim(t, func(o *Options) { o.Org.Engine = engine })
			ids := conformanceIDs(t, s)
			cases := conformanceCases(engine, ids)
			for _, c := range cases {
				t.Run(c.path, func(t *testing.T) {
					schema := responseSchema(t, doc, c.specPath)
					_, body := s.get(c.path, http.StatusOK)
					var v any
					if err := json.Unmarshal(body, &v); err != nil {
						t.Fatalf("GET %s: not JSON: %v", c.path, err)
					}
					if arr, ok := v.([]any); ok && len(arr) == 0 {
						t.Fatalf("GET %s: empty list; the generated org should have objects here", c.path)
					}
					if err := withoutKnownSpecDefects(schema.VisitJSON(v, openapi3.MultiErrors())); err != nil {
						t.Errorf("GET %s does not match the spec schema of %s:\n%s", c.path, c.specPath, firstLines(err.Error(), 30))
					}
				})
			}
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... (%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

// conformanceIDs picks ids that exercise the child and single-object routes.
func conformanceIDs(t *testing.T, s *orgSim) map[string]string {
	t.Helper()
	gt := s.sim.GroundTruth()
	ids := map[string]string{}
	first := func(typ string) string {
		if l := gt.IDs[typ]; len(l) > 0 {
			return l[0]
		}
		return ""
	}
	for _, typ := range resourceTypes {
		ids[typ] = first(typ)
	}
	// A user with factors and roles, a group with members and apps, an app
	// with users and groups, a policy with rules.
	for id := range gt.Counts.RulesPerPolicy {
		ids[typePolicy] = id
		break
	}
	if f := first(typeUserFactor); f != "" {
		s.sim.org.mu.RLock()
		ids["factorUser"] = s.sim.org.cols[typeUserFactor].byID[f].parent
		s.sim.org.mu.RUnlock()
	}
	if ra := first(typeAdminRole); ra != "" {
		ids["roleUser"], ids["roleAssignment"], _ = strings.Cut(ra, "/")
	}
	if m := first(typeGroupMembership); m != "" {
		ids["memberGroup"], _, _ = strings.Cut(m, "/")
	}
	if ag := first(typeApplicationGroup); ag != "" {
		ids["groupedApp"], ids["appGroup"], _ = strings.Cut(ag, "/")
	}
	if au := first(typeApplicationUser); au != "" {
		ids["userApp"], ids["appUser"], _ = strings.Cut(au, "/")
	}
	for _, rule := range gt.IDs[typePolicyRule] {
		s.sim.org.mu.RLock()
		ids["rulePolicy"] = s.sim.org.cols[typePolicyRule].byID[rule].parent
		s.sim.org.mu.RUnlock()
		ids[typePolicyRule] = rule
		break
	}
	return ids
}

func conformanceCases(engine string, ids map[string]string) []conformanceCase {
	cases := []conformanceCase{
		{"/api/v1/users", "/api/v1/users"},
		{"/api/v1/users", "/api/v1/users?search=" + urlq(`status eq "DEPROVISIONED"`)},
		{"/api/v1/users/{id}", "/api/v1/users/" + ids[typeUser]},
		{"/api/v1/users/{id}/groups", "/api/v1/users/" + ids[typeUser] + "/groups"},
		{"/api/v1/users/{userId}/factors", "/api/v1/users/" + ids["factorUser"] + "/factors"},
		{"/api/v1/users/{userId}/roles", "/api/v1/users/" + ids["roleUser"] + "/roles"},
		{"/api/v1/groups", "/api/v1/groups"},
		{"/api/v1/groups", "/api/v1/groups?expand=stats"},
		{"/api/v1/groups/{groupId}", "/api/v1/groups/" + ids[typeGroup]},
		{"/api/v1/groups/{groupId}/users", "/api/v1/groups/" + ids["memberGroup"] + "/users"},
		{"/api/v1/groups/{groupId}/apps", "/api/v1/groups/" + ids["appGroup"] + "/apps"},
		{"/api/v1/groups/rules", "/api/v1/groups/rules"},
		{"/api/v1/groups/rules", "/api/v1/groups/rules?expand=groupIdToGroupNameMap"},
		{"/api/v1/groups/rules/{groupRuleId}", "/api/v1/groups/rules/" + ids[typeGroupRule]},
		{"/api/v1/apps", "/api/v1/apps?limit=200"},
		{"/api/v1/apps/{appId}", "/api/v1/apps/" + ids[typeApplication]},
		{"/api/v1/apps/{appId}/users", "/api/v1/apps/" + ids["userApp"] + "/users"},
		{"/api/v1/apps/{appId}/groups", "/api/v1/apps/" + ids["groupedApp"] + "/groups"},
		{"/api/v1/authorizationServers", "/api/v1/authorizationServers"},
		{"/api/v1/authorizationServers/{authServerId}", "/api/v1/authorizationServers/" + ids[typeAuthServer]},
		{"/api/v1/idps", "/api/v1/idps"},
		{"/api/v1/idps/{idpId}", "/api/v1/idps/" + ids[typeIdentityProvider]},
		{"/api/v1/zones", "/api/v1/zones"},
		{"/api/v1/zones/{zoneId}", "/api/v1/zones/" + ids[typeNetworkZone]},
		{"/api/v1/trustedOrigins", "/api/v1/trustedOrigins"},
		{"/api/v1/trustedOrigins/{trustedOriginId}", "/api/v1/trustedOrigins/" + ids[typeTrustedOrigin]},
		{"/api/v1/meta/types/user", "/api/v1/meta/types/user"},
		{"/api/v1/meta/types/user/{typeId}", "/api/v1/meta/types/user/" + ids[typeUserType]},
		{"/api/v1/iam/assignees/users", "/api/v1/iam/assignees/users"},
		{"/api/v1/iam/roles", "/api/v1/iam/roles"},
		{"/api/v1/eventHooks", "/api/v1/eventHooks"},
		{"/api/v1/eventHooks/{eventHookId}", "/api/v1/eventHooks/" + ids[typeEventHook]},
		{"/api/v1/logStreams", "/api/v1/logStreams"},
		{"/api/v1/logStreams/{logStreamId}", "/api/v1/logStreams/" + ids[typeLogStream]},
		{"/api/v1/org", "/api/v1/org"},
		{"/api/v1/org/privacy/oktaSupport", "/api/v1/org/privacy/oktaSupport"},
		{"/api/v1/features", "/api/v1/features"},
		{"/api/v1/features/{featureId}", "/api/v1/features/" + ids[typeFeature]},
		{"/api/v1/threats/configuration", "/api/v1/threats/configuration"},
		{"/api/v1/api-tokens", "/api/v1/api-tokens"},
		{"/api/v1/api-tokens/{apiTokenId}", "/api/v1/api-tokens/" + ids[typeAPIToken]},
		{"/api/v1/policies/{policyId}", "/api/v1/policies/" + ids[typePolicy]},
		{"/api/v1/policies/{policyId}/rules", "/api/v1/policies/" + ids["rulePolicy"] + "/rules"},
		{"/api/v1/policies/{policyId}/rules/{ruleId}", "/api/v1/policies/" + ids["rulePolicy"] + "/rules/" + ids[typePolicyRule]},
		{"/api/v1/authenticators", "/api/v1/authenticators"},
		{"/api/v1/authenticators/{authenticatorId}", "/api/v1/authenticators/" + ids[typeAuthenticator]},
	}
	types := classicPolicyTypes
	if engine == engineOIE {
		types = append(append([]string{}, classicPolicyTypes...), oieOnlyPolicyTypes...)
	}
	for _, pt := range types {
		cases = append(cases, conformanceCase{"/api/v1/policies", "/api/v1/policies?type=" + pt})
	}
	return cases
}

func urlq(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22")
	return r.Replace(s)
}

// knownSpecDefect is a schema in the spec that is itself broken: no value
// can satisfy it. Errors it causes are dropped, and only those.
type knownSpecDefect struct {
	field       string // last JSON pointer segment of the value
	schemaField string // the failing keyword
	pattern     string // the broken pattern, to match the schema exactly
}

var knownSpecDefects = []knownSpecDefect{{
	// ApiToken.tokenWindow (TimeDuration): "^P(?:$)(\d+Y)?…" requires the end
	// of the string right after "P", so no ISO 8601 duration ("P30D", the
	// value the spec's own ApiToken example shows) can match.
	field: "tokenWindow", schemaField: "pattern",
	pattern: `^P(?:$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?:\d)(\d+H)?(\d+M)?(\d+S)?)?$`,
}}

// withoutKnownSpecDefects removes the errors of knownSpecDefects from err.
func withoutKnownSpecDefects(err error) error {
	if err == nil {
		return nil
	}
	var me openapi3.MultiError
	if !errors.As(err, &me) {
		me = openapi3.MultiError{err}
	}
	var kept openapi3.MultiError
	for _, e := range me {
		if !isKnownSpecDefect(e) {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

func isKnownSpecDefect(err error) bool {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) || se.Schema == nil {
		return false
	}
	ptr := se.JSONPointer()
	if len(ptr) == 0 {
		return false
	}
	for _, d := range knownSpecDefects {
		if ptr[len(ptr)-1] == d.field && se.SchemaField == d.schemaField && se.Schema.Pattern == d.pattern {
			return true
		}
	}
	return false
}

// TestConformanceValidatorBites proves the validation is not vacuous: a
// user with a wrong status and a numeric created, and a zone with an
// unknown type, fail the spec's schemas.
func TestConformanceValidatorBites(t *testing.T) {
	doc := loadSpec(t)
	s := startOrgSim(t, nil)
	users, _ := s.list("/api/v1/users?limit=1")
	users[0]["status"] = "BOGUS"
	users[0]["created"] = 42
	if err := responseSchema(t, doc, "/api/v1/users").VisitJSON(orgRoundTrip(t, users)); err == nil {
		t.Error("a user with status BOGUS and a numeric created passed the User schema")
	}
	zones, _ := s.list("/api/v1/zones")
	zones[0]["type"] = "NOT_A_ZONE_TYPE"
	if err := responseSchema(t, doc, "/api/v1/zones").VisitJSON(orgRoundTrip(t, zones)); err == nil {
		t.Error("a zone with type NOT_A_ZONE_TYPE passed the NetworkZone schema")
	}
}

// orgRoundTrip re-decodes v as generic JSON (numbers as float64).
func orgRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
