package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// servedPath is, per resource type, the Okta endpoint that serves one object of the type on
// its own: the body-fidelity test reads each object there, independently of the listings
// the receiver used. r is the object's snapshot record (its id and parent attributes).
var servedPath = map[string]func(r simtest.Record) string{
	string(resource.User):  func(r simtest.Record) string { return "/api/v1/users/" + esc(r.ID) },
	string(resource.Group): func(r simtest.Record) string { return "/api/v1/groups/" + esc(r.ID) + "?expand=stats" },
	// A group member is listed as the user object itself.
	string(resource.GroupMembership):  func(r simtest.Record) string { return "/api/v1/users/" + esc(attrOf(r, resource.AttrUserID)) },
	string(resource.GroupRule):        func(r simtest.Record) string { return "/api/v1/groups/rules/" + esc(r.ID) },
	string(resource.Application):      func(r simtest.Record) string { return "/api/v1/apps/" + esc(r.ID) },
	string(resource.ApplicationUser):  func(r simtest.Record) string { return appChild(r, "users", resource.AttrUserID) },
	string(resource.ApplicationGroup): func(r simtest.Record) string { return appChild(r, "groups", resource.AttrGroupID) },
	string(resource.Policy):           func(r simtest.Record) string { return "/api/v1/policies/" + esc(r.ID) },
	string(resource.PolicyRule): func(r simtest.Record) string {
		return "/api/v1/policies/" + esc(attrOf(r, resource.AttrPolicyID)) + "/rules/" + esc(textOf(r, "id"))
	},
	string(resource.UserFactor): func(r simtest.Record) string {
		return "/api/v1/users/" + esc(attrOf(r, resource.AttrUserID)) + "/factors/" + esc(r.ID)
	},
	string(resource.Authenticator):       func(r simtest.Record) string { return "/api/v1/authenticators/" + esc(r.ID) },
	string(resource.AuthorizationServer): func(r simtest.Record) string { return "/api/v1/authorizationServers/" + esc(r.ID) },
	string(resource.IdentityProvider):    func(r simtest.Record) string { return "/api/v1/idps/" + esc(r.ID) },
	string(resource.NetworkZone):         func(r simtest.Record) string { return "/api/v1/zones/" + esc(r.ID) },
	string(resource.TrustedOrigin):       func(r simtest.Record) string { return "/api/v1/trustedOrigins/" + esc(r.ID) },
	string(resource.UserType):            func(r simtest.Record) string { return "/api/v1/meta/types/user/" + esc(r.ID) },
	string(resource.AdminRoleAssignment): func(r simtest.Record) string {
		if group := attrOf(r, resource.AttrGroupID); group != "" {
			return "/api/v1/groups/" + esc(group) + "/roles/" + esc(textOf(r, "id"))
		}
		return "/api/v1/users/" + esc(attrOf(r, resource.AttrUserID)) + "/roles/" + esc(textOf(r, "id"))
	},
	string(resource.APIToken):      func(r simtest.Record) string { return "/api/v1/api-tokens/" + esc(r.ID) },
	string(resource.EventHook):     func(r simtest.Record) string { return "/api/v1/eventHooks/" + esc(r.ID) },
	string(resource.LogStream):     func(r simtest.Record) string { return "/api/v1/logStreams/" + esc(r.ID) },
	string(resource.Org):           func(simtest.Record) string { return "/api/v1/org" },
	string(resource.OktaSupport):   func(simtest.Record) string { return "/api/v1/org/privacy/oktaSupport" },
	string(resource.Feature):       func(r simtest.Record) string { return "/api/v1/features/" + esc(r.ID) },
	string(resource.ThreatInsight): func(simtest.Record) string { return "/api/v1/threats/configuration" },
}

func esc(s string) string { return url.PathEscape(s) }

func appChild(r simtest.Record, sub, refAttr string) string {
	return "/api/v1/apps/" + esc(attrOf(r, resource.AttrApplicationID)) + "/" + sub + "/" + esc(attrOf(r, refAttr))
}

func attrOf(r simtest.Record, key string) string { s, _ := r.Attrs[key].(string); return s }
func textOf(r simtest.Record, key string) string { s, _ := r.Body[key].(string); return s }

// redactedTypes are the resource types whose simulated objects carry a secret Okta
// returns (an OIDC app's client_secret, an OIDC IdP's client_secret, event hook header
// values): the test must see those secrets replaced, not merely absent.
var redactedTypes = []string{string(resource.Application), string(resource.IdentityProvider), string(resource.EventHook)}

// TestBodyFidelityPerResourceType: every snapshot record of a full sync, for all 24
// resource types, has the body the simulator serves for that object (read again over HTTP
// from the object's own endpoint), field by field: same keys, same values, integers as
// integers. The only differences allowed are the secret paths of the resource type
// (the resource table's Secrets), which must read "[REDACTED]" wherever the served value is not empty, and
// whose served values must appear nowhere in the record.
func TestBodyFidelityPerResourceType(t *testing.T) {
	srv, simURL := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, simURL, oktasim.DefaultDemoToken, withTypes(string(resource.GroupMembership)))
	inv.FullSync(context.Background())
	byType := map[string][]simtest.Record{}
	for _, r := range records(sink) {
		require.Equal(t, inventory.EventSnapshot, r.Event, "a first full sync emits snapshots only")
		byType[r.Type] = append(byType[r.Type], r)
	}
	require.Len(t, servedPath, len(allResourceTypes))
	gt := srv.GroundTruth()
	for _, typ := range allResourceTypes {
		t.Run(typ, func(t *testing.T) {
			recs := byType[typ]
			require.Len(t, recs, len(gt.IDs[typ]), "one snapshot per object")
			require.NotEmpty(t, recs)
			redacted := 0
			for _, r := range recs {
				path := servedPath[typ](r)
				served := fetchServed(t, simURL+path)
				c := &bodyComparison{typ: typ, where: typ + " " + r.ID + " (" + path + ")"}
				c.compare(t, "", served, r.Body)
				redacted += len(c.secrets)
				encoded, err := json.Marshal(r.Body)
				require.NoError(t, err)
				for _, secret := range c.secrets {
					assert.NotContains(t, string(encoded), secret, "%s: a redacted value appears elsewhere", c.where)
				}
			}
			if slices.Contains(redactedTypes, typ) {
				assert.NotZero(t, redacted, "the simulator serves %s secrets; the records must show them redacted", typ)
			}
		})
	}
}

// fetchServed GETs an object from the simulator with the API token and decodes it with
// numbers kept as json.Number.
func fetchServed(t *testing.T, u string) any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "SSWS "+oktasim.DefaultDemoToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", u, b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// bodyComparison walks a served object and a record body side by side.
type bodyComparison struct {
	typ, where string
	secrets    []string // served values found at secret paths
}

// compare checks got (a record body value, as pcommon's AsRaw gives it) against served
// (the decoded JSON Okta served) at path, written with "[]" for array elements as in
// the resource table's Secrets.
func (c *bodyComparison) compare(t *testing.T, path string, served, got any) {
	t.Helper()
	if c.isSecret(path) && !revealsNothing(served) {
		assert.Equal(t, "[REDACTED]", got, "%s: secret %s", c.where, path)
		c.secrets = append(c.secrets, secretText(served))
		return
	}
	switch s := served.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !assert.True(t, ok, "%s: %s is %T, served an object", c.where, path, got) {
			return
		}
		assert.ElementsMatch(t, keysOf(s), keysOf(g), "%s: keys of %q", c.where, path)
		for k, sv := range s {
			if gv, ok := g[k]; ok {
				c.compare(t, join(path, k), sv, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !assert.True(t, ok, "%s: %s is %T, served an array", c.where, path, got) || !assert.Len(t, g, len(s), "%s: %s", c.where, path) {
			return
		}
		for i := range s {
			c.compare(t, path+"[]", s[i], g[i])
		}
	case json.Number:
		if i, err := s.Int64(); err == nil {
			assert.Equal(t, i, got, "%s: %s (integer)", c.where, path)
			return
		}
		f, err := s.Float64()
		require.NoError(t, err)
		assert.Equal(t, f, got, "%s: %s (number)", c.where, path)
	default:
		assert.Equal(t, served, got, "%s: %s", c.where, path)
	}
}

// isSecret reports whether path is one of the secret paths of the comparison's type.
func (c *bodyComparison) isSecret(path string) bool {
	return path != "" && slices.Contains(resource.Lookup(resource.Type(c.typ)).Secrets, path)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// secretText is a served secret as text, for the "appears nowhere" check.
func secretText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return strings.Trim(fmt.Sprint(string(b)), `"`)
}

// revealsNothing reports whether a served value hides no secret (absent, null, an empty
// string, object or array): such values are delivered as Okta sent them. It is written from
// the value's JSON form on purpose rather than calling the receiver's own emptiness rule: the
// check is the test's independent statement of which values may pass unredacted, so that a
// change to the receiver's rule shows up here as a failure.
func revealsNothing(v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	switch string(b) {
	case "null", `""`, "{}", "[]":
		return true
	}
	return false
}
