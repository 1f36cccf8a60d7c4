package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodedProof is a proof verified with its own embedded key.
type decodedProof struct {
	header jose.Header
	claims map[string]any
}

func decodeProof(t *testing.T, proof string) decodedProof {
	t.Helper()
	sig, err := jose.ParseSignedCompact(proof, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	require.NoError(t, err)
	require.Len(t, sig.Signatures, 1)
	hdr := sig.Signatures[0].Protected
	require.NotNil(t, hdr.JSONWebKey, "the proof embeds its public key")
	require.True(t, hdr.JSONWebKey.IsPublic(), "the embedded jwk must be public")
	payload, err := sig.Verify(hdr.JSONWebKey)
	require.NoError(t, err, "the proof verifies with its embedded jwk")
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	return decodedProof{header: hdr, claims: claims}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestSignerProofClaims(t *testing.T) {
	ec, err := GenerateKey()
	require.NoError(t, err)
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	at := time.Unix(1_900_000_000, 0)
	for _, c := range []struct {
		key crypto.Signer
		alg string
	}{{ec, "ES256"}, {rk, "RS256"}} {
		t.Run(c.alg, func(t *testing.T) {
			s, err := NewSigner(c.key)
			require.NoError(t, err)
			s.now = func() time.Time { return at }
			assert.Equal(t, c.alg, s.Algorithm())

			target := mustURL(t, "https://acme.okta.com/api/v1/users?limit=200&after=abc#frag")
			proof, err := s.Proof("GET", target, "access-token-value", "server-nonce")
			require.NoError(t, err)
			p := decodeProof(t, proof)
			assert.Equal(t, c.alg, p.header.Algorithm)
			assert.Equal(t, "dpop+jwt", p.header.ExtraHeaders[jose.HeaderType])
			thumb, err := p.header.JSONWebKey.Thumbprint(crypto.SHA256)
			require.NoError(t, err)
			assert.NotEmpty(t, thumb)
			assert.Equal(t, "GET", p.claims["htm"])
			assert.Equal(t, "https://acme.okta.com/api/v1/users", p.claims["htu"], "htu has no query and no fragment")
			assert.InDelta(t, float64(at.Unix()), p.claims["iat"], 0)
			assert.Equal(t, AccessTokenHash("access-token-value"), p.claims["ath"])
			assert.Equal(t, "server-nonce", p.claims["nonce"])
			assert.Len(t, p.claims["jti"], 32)

			again, err := s.Proof("GET", target, "access-token-value", "server-nonce")
			require.NoError(t, err)
			assert.NotEqual(t, p.claims["jti"], decodeProof(t, again).claims["jti"], "every proof has its own jti")

			bare, err := s.Proof("POST", mustURL(t, "https://acme.okta.com/oauth2/v1/token"), "", "")
			require.NoError(t, err)
			b := decodeProof(t, bare)
			assert.NotContains(t, b.claims, "ath", "a token request proof has no ath")
			assert.NotContains(t, b.claims, "nonce", "no nonce before the server sent one")
			assert.Equal(t, "POST", b.claims["htm"])
		})
	}
}

// TestAccessTokenHash checks ath against the example of RFC 9449 section 7.1.
func TestAccessTokenHash(t *testing.T) {
	assert.Equal(t, "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo", AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
}

func TestSignerRejectsUnsuitableKeys(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	weakPEM, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", "rsa_1024.pem"))
	require.NoError(t, err)
	block, _ := pem.Decode(weakPEM)
	small, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	require.NoError(t, err)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for name, k := range map[string]crypto.Signer{"P-384": p384, "RSA 1024": small, "Ed25519": ed} {
		_, err := NewSigner(k)
		assert.Error(t, err, name)
	}
	_, err = NewSigner(p384)
	assert.ErrorContains(t, err, "P-256")
	_, err = (&Signer{}).Proof("GET", mustURL(t, "/relative"), "", "")
	assert.ErrorContains(t, err, "absolute")
}

func TestParsePrivateKey(t *testing.T) {
	ec, _ := GenerateKey()
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ec)
	rsaPKCS8, _ := x509.MarshalPKCS8PrivateKey(rk)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(ed)
	enc := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	for name, c := range map[string]struct {
		pem []byte
		alg string
	}{
		"SEC 1 EC":   {enc("EC PRIVATE KEY", sec1), "ES256"},
		"PKCS#8 EC":  {enc("PRIVATE KEY", ecPKCS8), "ES256"},
		"PKCS#1 RSA": {enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)), "RS256"},
		"PKCS#8 RSA": {enc("PRIVATE KEY", rsaPKCS8), "RS256"},
	} {
		k, err := ParsePrivateKey(c.pem)
		require.NoError(t, err, name)
		s, err := NewSigner(k)
		require.NoError(t, err, name)
		assert.Equal(t, c.alg, s.Algorithm(), name)
	}
	for name, c := range map[string]struct {
		pem  []byte
		want string
	}{
		"garbage":    {[]byte("not a key"), "no PEM block"},
		"public key": {enc("PUBLIC KEY", []byte{1}), "not a private key"},
		"Ed25519":    {enc("PRIVATE KEY", edPKCS8), "EC P-256"},
		"encrypted":  {enc("ENCRYPTED PRIVATE KEY", []byte{1}), "encrypted private keys are not supported"},
		"bad SEC 1":  {enc("EC PRIVATE KEY", []byte{1, 2, 3}), "invalid SEC 1"},
		"bad PKCS#1": {enc("RSA PRIVATE KEY", []byte{1, 2, 3}), "invalid PKCS#1"},
		"bad PKCS#8": {enc("PRIVATE KEY", []byte{1, 2, 3}), "invalid PKCS#8"},
	} {
		_, err := ParsePrivateKey(c.pem)
		assert.ErrorContains(t, err, c.want, name)
	}
	other, _ := GenerateKey()
	assert.True(t, SamePublicKey(ec, ec))
	assert.False(t, SamePublicKey(ec, other))
	assert.False(t, SamePublicKey(ec, rk))
}
