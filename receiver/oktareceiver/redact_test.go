package oktareceiver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	items, err := decodeItems([]byte(s), "")
	require.NoError(t, err)
	require.Len(t, items, 1)
	return items[0]
}

func TestRedactSecrets(t *testing.T) {
	obj := decodeJSON(t, `{
	  "id": "0oa1", "label": "CRM", "signOnMode": "OPENID_CONNECT",
	  "credentials": {"oauthClient": {"client_id": "abc", "client_secret": "s3cr3t", "token_endpoint_auth_method": "client_secret_basic"},
	                  "userNameTemplate": {"template": "${source.login}"}},
	  "settings": {"app": {"password": "hunter2", "sharedSecret": "xyz", "url": "https://crm.example"}},
	  "channel": {"config": {"uri": "https://hook.example", "authScheme": {"type": "HEADER", "key": "Authorization", "value": "Bearer abc"},
	              "headers": [{"key": "X-Api-Key", "value": "k-123"}]}},
	  "keys": [{"kty": "RSA", "kid": "k1", "n": "modulus", "e": "AQAB", "d": "jwk-d-value", "p": "p1", "q": "q1"}],
	  "user": {"credentials": {"password": {}, "recovery_question": {"question": "Pet?", "answer": "Rex"}}},
	  "profile": {"email": "a@example.com", "count": 3, "tokenWindow": "P30D"},
	  "settings2": {"privateKey": {"pem": "-----BEGIN"}, "apiToken": 42}
	}`)
	redactSecrets(obj)
	b, err := json.Marshal(obj)
	require.NoError(t, err)
	out := string(b)
	for _, secret := range []string{"s3cr3t", "hunter2", "xyz", "Bearer abc", "k-123", "jwk-d-value", `"p1"`, `"q1"`, "Rex", "-----BEGIN", "42"} {
		assert.NotContains(t, out, secret)
	}
	// Everything else is kept.
	for _, kept := range []string{"0oa1", "CRM", "client_secret_basic", "${source.login}", "https://crm.example", "https://hook.example",
		"Authorization", "X-Api-Key", "modulus", "AQAB", "Pet?", "a@example.com", "P30D", `"password":{}`, `"count":3`} {
		assert.Contains(t, out, kept)
	}
	assert.Equal(t, redactedValue, obj["credentials"].(map[string]any)["oauthClient"].(map[string]any)["client_secret"])
	assert.Equal(t, 11, strings.Count(out, redactedValue), out)
}

func TestRedactSecretsHostileInput(t *testing.T) {
	// Deep nesting and odd types must not panic.
	deep := map[string]any{}
	cur := deep
	for range 200 {
		next := map[string]any{"secret": "x"}
		cur["a"] = next
		cur = next
	}
	assert.NotPanics(t, func() { redactSecrets(deep) })
	assert.NotPanics(t, func() { redactSecrets([]any{nil, 1.5, "s", map[string]any{"token": []any{"a", nil, true}}}) })
	m := map[string]any{"token": []any{"a", nil, true}}
	redactSecrets(m)
	assert.Equal(t, []any{redactedValue, nil, true}, m["token"])
}
