package inventory

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

func TestAuditValuesKeepOnlyAuditedFieldsRedacted(t *testing.T) {
	idp := decodeObj(t, `{"id":"0oa1","name":"Partner","status":"ACTIVE","lastUpdated":"2024-01-01T00:00:00.000Z",
		"protocol":{"type":"OIDC","credentials":{"client":{"client_id":"abc","client_secret":"s3cr3t-value"}}},
		"policy":{"maxClockSkew":0}}`)
	vals := decodeAudit(auditOfObject(string(resource.IdentityProvider), idp))
	byPath := map[string]string{}
	for _, v := range vals {
		byPath[v.path] = v.json
	}
	assert.Equal(t, map[string]string{
		"name": `"Partner"`, "status": `"ACTIVE"`, "protocol.type": `"OIDC"`, "policy.maxClockSkew": "0",
		"protocol.credentials": `{"client":{"client_id":"abc","client_secret":"[REDACTED]"}}`,
	}, byPath, "audited fields only (not lastUpdated), the secret redacted")
	assert.Equal(t, "s3cr3t-value", idp["protocol"].(map[string]any)["credentials"].(map[string]any)["client"].(map[string]any)["client_secret"],
		"the object itself is not modified")
}

func TestAuditValuesTruncatedAndMarked(t *testing.T) {
	long := strings.Repeat("x", 3000)
	before := auditOfObject(string(resource.User), decodeObj(t, `{"status":"ACTIVE","profile":{"bio":"short"}}`))
	after := auditOfObject(string(resource.User), decodeObj(t, `{"status":"ACTIVE","profile":{"bio":"`+long+`"}}`))
	cv := changeValues(before, after, []string{"lastUpdated", "profile.bio"})
	require.Len(t, cv, 1, "only audited paths that changed")
	attrs := pcommon.NewMap()
	putChangeValues(attrs, cv)
	got := attrs.AsRaw()[AttrChangeValues].([]any)[0].(map[string]any)
	assert.Equal(t, "profile.bio", got["path"])
	assert.Equal(t, "short", got["before"])
	assert.Len(t, got["after"], maxAuditValueBytes)
	assert.Equal(t, true, got["after_truncated"])
	assert.NotContains(t, got, "before_truncated")
}

func TestChangeValuesOfCreationAndDeletion(t *testing.T) {
	a := auditOfObject(string(resource.NetworkZone), decodeObj(t, `{"name":"Office","status":"ACTIVE","gateways":[{"type":"CIDR","value":"10.0.0.0/8"}],"created":"x"}`))
	created := changeValues(auditSet{}, a, nil)
	require.Len(t, created, 3)
	for _, cv := range created {
		assert.Nil(t, cv.before, cv.path)
		assert.NotNil(t, cv.after, cv.path)
	}
	deleted := changeValues(a, auditSet{}, nil)
	require.Len(t, deleted, 3)
	assert.Equal(t, "gateways", deleted[0].path)
	assert.JSONEq(t, `[{"type":"CIDR","value":"10.0.0.0/8"}]`, deleted[0].before.json)
	assert.Nil(t, deleted[0].after)
}

// auditOfObject is the audited values of obj as the state keeps them (against the paths of
// obj's fingerprint shape).
func auditOfObject(typ string, obj map[string]any) auditSet {
	s := newInventoryState()
	fp := fingerprint(s.fingerprint(obj))
	paths := s.shapes[fp.shape()].paths
	return auditSet{enc: extractAudit(typ, obj, paths), paths: paths}
}
