package inventory

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var obj map[string]any
	require.NoError(t, dec.Decode(&obj))
	return obj
}

// redactedJSON redacts the object s of type typ and returns it re-encoded.
func redactedJSON(t *testing.T, typ, s string) (map[string]any, string) {
	t.Helper()
	obj := redactSecrets(typ, decodeJSON(t, s))
	b, err := json.Marshal(obj)
	require.NoError(t, err)
	return obj, string(b)
}

// TestRedactSecretsAtExactPaths: per resource type, the secrets at the paths of the table
// are replaced and every other field, including settings whose keys name secrets
// elsewhere, arrives as sent.
func TestRedactSecretsAtExactPaths(t *testing.T) {
	cases := []struct {
		typ, body      string
		secrets, kept  []string
		redactedFields int
	}{
		{
			typ: string(resource.Application),
			body: `{"id": "0oa1", "label": "CRM", "signOnMode": "OPENID_CONNECT",
			  "credentials": {"oauthClient": {"client_id": "abc", "client_secret": "s3cr3t", "token_endpoint_auth_method": "client_secret_basic"},
			                  "password": {"value": "app-pw", "hash": {"algorithm": "BCRYPT", "value": "hash-v", "workFactor": 10}},
			                  "userNameTemplate": {"template": "${source.login}"}},
			  "settings": {"app": {"url": "https://crm.example", "passwordField": "#pw", "token": "tmpl-setting"},
			               "oauthClient": {"refresh_token": {"rotation_type": "ROTATE"}, "jwks": {"keys": [
			                 {"kty": "RSA", "kid": "k1", "n": "modulus", "e": "AQAB", "d": "jwk-d-value", "p": "p1", "q": "q1", "dp": "dp1", "dq": "dq1", "qi": "qi1"},
			                 {"kty": "oct", "kid": "k2", "k": "sym-key"}]}}}}`,
			secrets: []string{"s3cr3t", "app-pw", "hash-v", "jwk-d-value", `"p1"`, `"q1"`, "dp1", "dq1", "qi1", "sym-key"},
			kept: []string{"0oa1", "client_secret_basic", "${source.login}", "https://crm.example", "#pw", "tmpl-setting",
				"ROTATE", "modulus", "AQAB", `"kid":"k1"`, "BCRYPT", `"workFactor":10`},
			redactedFields: 10,
		},
		{
			typ: string(resource.Policy),
			body: `{"id": "00p1", "type": "PASSWORD", "settings": {
			  "password": {"complexity": {"minLength": 8, "minUpperCase": 1}, "age": {"maxAgeDays": 90, "historyCount": 24},
			               "lockout": {"maxAttempts": 5}},
			  "recovery": {"factors": {"okta_email": {"properties": {"recoveryToken": {"tokenLifetimeMinutes": 60}}}}}}}`,
			kept: []string{`"minLength":8`, `"historyCount":24`, `"maxAgeDays":90`, `"maxAttempts":5`, `"tokenLifetimeMinutes":60`},
		},
		{
			typ: string(resource.IdentityProvider),
			body: `{"id": "0oa2", "type": "OIDC", "protocol": {"type": "OIDC",
			  "endpoints": {"token": {"url": "https://idp.example/token", "binding": "HTTP-POST"}, "jwks": {"url": "https://idp.example/keys"}},
			  "credentials": {"client": {"client_id": "cid", "client_secret": "idp-secret", "token_endpoint_auth_method": "client_secret_post"},
			                  "signing": {"kid": "sk", "privateKey": "-----BEGIN PRIVATE"}, "bearer": {"apiKey": "bearer-key"}}}}`,
			secrets:        []string{"idp-secret", "-----BEGIN PRIVATE", "bearer-key"},
			kept:           []string{"https://idp.example/token", "https://idp.example/keys", "cid", "client_secret_post", `"kid":"sk"`},
			redactedFields: 3,
		},
		{
			typ: string(resource.EventHook),
			body: `{"id": "who1", "channel": {"config": {"uri": "https://hook.example",
			  "authScheme": {"type": "HEADER", "key": "Authorization", "value": "Bearer abc"},
			  "headers": [{"key": "X-Api-Key", "value": "k-123"}, {"key": "X-Env", "value": "prod"}]}}}`,
			secrets:        []string{"Bearer abc", "k-123", `"prod"`},
			kept:           []string{"https://hook.example", "Authorization", "X-Api-Key", "X-Env", "HEADER"},
			redactedFields: 3,
		},
		{
			typ:            string(resource.LogStream),
			body:           `{"id": "0oa3", "type": "splunk_cloud_logstreaming", "settings": {"host": "acme.splunkcloud.com", "edition": "aws", "token": "hec-token-value"}}`,
			secrets:        []string{"hec-token-value"},
			kept:           []string{"acme.splunkcloud.com", `"edition":"aws"`},
			redactedFields: 1,
		},
		{
			typ: string(resource.User),
			body: `{"id": "00u1", "profile": {"login": "a@example.com", "token": "profile-attr"},
			  "credentials": {"password": {"value": "user-pw"}, "recovery_question": {"question": "Pet?", "answer": "Rex"},
			                  "provider": {"type": "OKTA", "name": "OKTA"}}}`,
			secrets:        []string{"user-pw", "Rex"},
			kept:           []string{"a@example.com", "profile-attr", "Pet?", `"type":"OKTA"`},
			redactedFields: 2,
		},
		{
			typ:            string(resource.GroupMembership),
			body:           `{"id": "00u2", "credentials": {"password": {}, "recovery_question": {"question": "Pet?", "answer": "Rex"}}}`,
			secrets:        []string{"Rex"},
			kept:           []string{`"password":{}`, "Pet?"},
			redactedFields: 1,
		},
		{
			typ:            string(resource.UserFactor),
			body:           `{"id": "ost1", "factorType": "token:software:totp", "profile": {"credentialId": "a@example.com", "sharedSecret": "totp-seed"}}`,
			secrets:        []string{"totp-seed"},
			kept:           []string{"a@example.com", "token:software:totp"},
			redactedFields: 1,
		},
		{
			typ:            string(resource.Authenticator),
			body:           `{"id": "aut1", "key": "duo", "provider": {"type": "DUO", "configuration": {"host": "api.duo.example", "integrationKey": "DIXX", "secretKey": "duo-secret"}}, "settings": {"tokenLifetimeInMinutes": 5}}`,
			secrets:        []string{"duo-secret"},
			kept:           []string{"api.duo.example", "DIXX", `"tokenLifetimeInMinutes":5`},
			redactedFields: 1,
		},
		{
			typ:            string(resource.AuthorizationServer),
			body:           `{"id": "aus1", "credentials": {"signing": {"kid": "kid1", "rotationMode": "AUTO"}}, "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "xx", "y": "yy", "d": "ec-private"}]}}`,
			secrets:        []string{"ec-private"},
			kept:           []string{"kid1", `"x":"xx"`, `"y":"yy"`, "P-256"},
			redactedFields: 1,
		},
		{
			typ:  string(resource.Feature),
			body: `{"id": "ftr1", "name": "Token rotation", "token": true, "secret": "feature-setting", "stage": {"value": "EA"}}`,
			kept: []string{`"token":true`, "feature-setting", "EA"},
		},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			_, out := redactedJSON(t, c.typ, c.body)
			for _, secret := range c.secrets {
				assert.NotContains(t, out, secret)
			}
			for _, kept := range c.kept {
				assert.Contains(t, out, kept)
			}
			assert.Equal(t, c.redactedFields, strings.Count(out, redactedValue), out)
		})
	}
}

// TestRedactSecretsEveryPathOfTheTable builds, for every path of secretPaths, an object
// with a distinctive value there (and an array of two elements where the path says [])
// and checks that the value is replaced and its neighbour kept.
func TestRedactSecretsEveryPathOfTheTable(t *testing.T) {
	for typ, paths := range secretPaths {
		for _, path := range paths {
			obj := map[string]any{}
			segs := strings.Split(path, ".")
			var cur any = obj
			for i, seg := range segs {
				key, isArray := strings.CutSuffix(seg, "[]")
				m := cur.(map[string]any)
				m["neighbour"] = "kept-" + key
				if i == len(segs)-1 {
					m[key] = "secret-" + path
					break
				}
				next := map[string]any{}
				if isArray {
					m[key] = []any{next, map[string]any{}}
				} else {
					m[key] = next
				}
				cur = next
			}
			b, err := json.Marshal(redactSecrets(typ, obj))
			require.NoError(t, err)
			assert.NotContains(t, string(b), "secret-"+path, "%s %s", typ, path)
			assert.Contains(t, string(b), redactedValue, "%s %s", typ, path)
			assert.Contains(t, string(b), "kept-"+segs[0], "%s %s: neighbours stay", typ, path)
		}
	}
}

// TestRedactSecretsKeepsEmptyAndNull: absent, null and empty secrets stay as sent: they
// reveal nothing, and "password": {} tells that a password is set.
func TestRedactSecretsKeepsEmptyAndNull(t *testing.T) {
	obj, _ := redactedJSON(t, string(resource.Application), `{"credentials": {"oauthClient": {"client_secret": null}, "password": {"value": ""}}}`)
	creds := obj["credentials"].(map[string]any)
	assert.Nil(t, creds["oauthClient"].(map[string]any)["client_secret"])
	assert.Equal(t, "", creds["password"].(map[string]any)["value"])
	obj, _ = redactedJSON(t, string(resource.User), `{"credentials": {"password": {}}}`)
	assert.Equal(t, map[string]any{}, obj["credentials"].(map[string]any)["password"])
}

// TestRedactSecretsHostileInput: unexpected shapes at secret paths (a string where an
// object is expected, an object where an array is, deep nesting) never panic, and a
// secret that is an object or a number is replaced whole.
func TestRedactSecretsHostileInput(t *testing.T) {
	deep := map[string]any{}
	cur := deep
	for range 200 {
		next := map[string]any{"secret": "x"}
		cur["channel"] = next
		cur = next
	}
	assert.NotPanics(t, func() { redactSecrets(string(resource.EventHook), deep) })
	for _, body := range []string{
		`{"channel": "flat"}`,
		`{"channel": {"config": {"headers": {"value": "not-a-list"}}}}`,
		`{"channel": {"config": {"headers": [null, 1.5, "s", [], {"value": {"nested": "obj"}}]}}}`,
		`{"channel": {"config": {"authScheme": [1, 2]}}}`,
	} {
		assert.NotPanics(t, func() { redactSecrets(string(resource.EventHook), decodeJSON(t, body)) }, body)
	}
	obj, out := redactedJSON(t, string(resource.EventHook), `{"channel": {"config": {"headers": [null, {"value": {"nested": "obj"}}], "authScheme": {"value": 42}}}}`)
	assert.NotContains(t, out, "nested")
	assert.NotContains(t, out, "42")
	assert.Nil(t, obj["channel"].(map[string]any)["config"].(map[string]any)["headers"].([]any)[0])
	assert.NotPanics(t, func() { redactSecrets("not_a_type", map[string]any{"secret": "x"}) })
}
