package oktareceiver

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// TestConfigDPoPValues: oauth.dpop takes YAML booleans and the strings auto/true/false
// (any case); unset means auto.
func TestConfigDPoPValues(t *testing.T) {
	for name, c := range map[string]struct {
		value any
		want  dpop.Mode
	}{
		"unset":         {nil, dpop.Auto},
		"auto":          {"auto", dpop.Auto},
		"AUTO":          {"AUTO", dpop.Auto},
		"bool true":     {true, dpop.Always},
		"string true":   {"true", dpop.Always},
		"bool false":    {false, dpop.Never},
		"string False":  {"False", dpop.Never},
		"padded auto":   {" auto ", dpop.Auto},
		"explicit null": {"", dpop.Auto},
	} {
		t.Run(name, func(t *testing.T) {
			oauth := map[string]any{"client_id": "0oa1", "private_key_file": filepath.Join("testdata", "keys", "rsa_pkcs1.pem")}
			if c.value != nil {
				oauth["dpop"] = c.value
			}
			cfg, err := unmarshalAndValidate(map[string]any{"endpoint": "https://acme.okta.com", "oauth": oauth})
			require.NoError(t, err)
			mode, err := cfg.OAuth.DPoP.mode()
			require.NoError(t, err)
			assert.Equal(t, c.want, mode)
		})
	}
}

// TestConfigDPoPKeys: an EC P-256 key (file) and a separate RSA key (inline) are accepted
// and sign with ES256 and RS256; without a key a P-256 key is generated at start.
func TestConfigDPoPKeys(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}))
	base := func(extra map[string]any) map[string]any {
		oauth := map[string]any{"client_id": "0oa1", "private_key_file": filepath.Join("testdata", "keys", "rsa_pkcs1.pem"), "dpop": true}
		for k, v := range extra {
			oauth[k] = v
		}
		return map[string]any{"endpoint": "https://acme.okta.com", "oauth": oauth}
	}
	for name, c := range map[string]struct {
		extra map[string]any
		alg   string
	}{
		"ec file":       {map[string]any{"dpop_private_key_file": filepath.Join("testdata", "keys", "ec.pem")}, "ES256"},
		"rsa inline":    {map[string]any{"dpop_private_key": rsaPEM}, "RS256"},
		"generated key": {nil, "ES256"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := unmarshalAndValidate(base(c.extra))
			require.NoError(t, err)
			session, err := cfg.OAuth.newDPoPSession()
			require.NoError(t, err)
			assert.True(t, session.Active(), "oauth.dpop: true sends proofs from the start")
			var a dpop.TokenAttempt
			proof, err := session.TokenProof(mustParseURL(t, "https://acme.okta.com/oauth2/v1/token"), &a)
			require.NoError(t, err)
			assert.Equal(t, c.alg, proofAlg(t, proof))
		})
	}
}

func mustParseURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// proofAlg returns the alg header of a DPoP proof.
func proofAlg(t testing.TB, proof string) string {
	t.Helper()
	sig, err := jose.ParseSignedCompact(proof, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	require.NoError(t, err)
	return sig.Signatures[0].Protected.Algorithm
}
