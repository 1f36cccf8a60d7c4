package oktasim

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func expectOAuthError(t *testing.T, resp *http.Response, status int, code, descPart string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d", resp.StatusCode, status)
	}
	var e oauthError
	decode(t, resp, &e)
	if e.Error != code || !strings.Contains(e.ErrorDescription, descPart) {
		t.Errorf("body = %+v, want error %q with description containing %q", e, code, descPart)
	}
}

func TestPlatformTokenFromBodyAndQuery(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	client, _ := testKeys(t)

	resp := h.postToken(tokenForm(signAssertion(t, client, h.validClaims()), "okta.users.read okta.logs.read"))
	var tr tokenResponse
	decode(t, resp, &tr)
	if resp.StatusCode != 200 || tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 || len(tr.AccessToken) < 32 ||
		tr.Scope != "okta.logs.read okta.users.read" {
		t.Fatalf("body form: status %d token %+v", resp.StatusCode, tr)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}

	// okta-sdk-golang v2 style: every parameter in the query, empty body.
	q := tokenForm(signAssertion(t, client, h.validClaims()), "okta.groups.read").Encode()
	req, _ := http.NewRequest(http.MethodPost, h.url+tokenPath+"?"+q, nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tr2 tokenResponse
	decode(t, resp, &tr2)
	if resp.StatusCode != 200 || tr2.Scope != "okta.groups.read" {
		t.Fatalf("query form: status %d token %+v", resp.StatusCode, tr2)
	}
	resp = h.do("GET", "/api/v1/groups", "Bearer "+tr2.AccessToken, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("using the token: status %d", resp.StatusCode)
	}
	if s := h.stats(); s.TokensIssued != 2 {
		t.Errorf("stats tokensIssued = %d, want 2", s.TokensIssued)
	}
}

func TestPlatformTokenRefusals(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	client, other := testKeys(t)
	now := time.Now()
	mod := func(f func(c *assertionClaims)) assertionClaims {
		c := h.validClaims()
		f(&c)
		return c
	}
	for _, c := range []struct {
		name   string
		key    bool // true: sign with the other key
		claims assertionClaims
		desc   string
	}{
		{"forged", true, h.validClaims(), "signature is invalid"},
		{"wrong aud", false, mod(func(c *assertionClaims) { c.Aud = "http://evil.example/oauth2/v1/token" }), "audience"},
		{"expired", false, mod(func(c *assertionClaims) { c.Exp = now.Add(-2 * time.Minute).Unix() }), "expired"},
		{"no exp", false, mod(func(c *assertionClaims) { c.Exp = 0 }), "'exp'"},
		{"too long", false, mod(func(c *assertionClaims) { c.Exp = now.Add(3 * time.Hour).Unix() }), "too far"},
		{"other client", false, mod(func(c *assertionClaims) { c.Iss, c.Sub = "0oaother", "0oaother" }), "client_id"},
		{"sub differs", false, mod(func(c *assertionClaims) { c.Sub = "someone" }), "'sub'"},
	} {
		key := client
		if c.key {
			key = other
		}
		resp := h.postToken(tokenForm(signAssertion(t, key, c.claims), "okta.users.read"))
		t.Run(c.name, func(t *testing.T) { expectOAuthError(t, resp, 401, "invalid_client", c.desc) })
	}

	// Replayed jti.
	claims := mod(func(c *assertionClaims) { c.Jti = "once" })
	first := h.postToken(tokenForm(signAssertion(t, client, claims), "okta.users.read"))
	first.Body.Close()
	if first.StatusCode != 200 {
		t.Fatalf("first use of jti: status %d", first.StatusCode)
	}
	expectOAuthError(t, h.postToken(tokenForm(signAssertion(t, client, claims), "okta.users.read")), 401, "invalid_client", "already been used")

	good := signAssertion(t, client, h.validClaims())
	expectOAuthError(t, h.postToken(tokenForm(good, "")), 400, "invalid_scope", "No scopes were requested.")
	expectOAuthError(t, h.postToken(tokenForm(signAssertion(t, client, h.validClaims()), "okta.factors.read")), 400, "invalid_scope", "okta.factors.read")
	form := tokenForm(signAssertion(t, client, h.validClaims()), "okta.users.read")
	form.Del("client_assertion")
	expectOAuthError(t, h.postToken(form), 401, "invalid_client", "No client credentials found.")
	form = tokenForm(good, "okta.users.read")
	form.Set("grant_type", "password")
	expectOAuthError(t, h.postToken(form), 400, "unsupported_grant_type", "password")
	if s := h.stats(); s.TokenErrors < 11 {
		t.Errorf("stats tokenErrors = %d, want ≥ 11", s.TokenErrors)
	}
}

func TestPlatformTokenScopeNotGranted(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.OAuth.GrantedScopes = []string{"okta.logs.read"}
	h := newPlatformHarness(t, opts)
	client, _ := testKeys(t)
	resp := h.postToken(tokenForm(signAssertion(t, client, h.validClaims()), "okta.logs.read okta.users.read"))
	expectOAuthError(t, resp, 400, "invalid_scope", "okta.users.read")
}

func TestPlatformOAuthDisabledWithoutKey(t *testing.T) {
	h := newPlatformHarness(t, DefaultPlatformOptions())
	client, _ := testKeys(t)
	resp := h.postToken(tokenForm(signAssertion(t, client, h.validClaims()), "okta.users.read"))
	expectOAuthError(t, resp, 401, "invalid_client", "client_id")
}

func TestPlatformOAuthKeyFromPEMAndGenerated(t *testing.T) {
	client, _ := testKeys(t)
	der, err := x509.MarshalPKIXPublicKey(&client.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultPlatformOptions()
	opts.OAuth.PublicKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	h := newPlatformHarness(t, opts)
	if tok := h.bearer("okta.users.read"); tok == "" {
		t.Fatal("no token with a PEM public key")
	}

	// Generated key pair: the written private key signs an accepted assertion.
	dir := t.TempDir()
	opts = DefaultPlatformOptions()
	opts.OAuth.GenerateKeyFile = filepath.Join(dir, "client.pem")
	g := newPlatformHarness(t, opts)
	data, err := os.ReadFile(opts.OAuth.GenerateKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("generated key file is not a PKCS#1 PEM: %q", data[:min(40, len(data))])
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	resp := g.postToken(tokenForm(signAssertion(t, priv, g.validClaims()), "okta.logs.read"))
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("generated key: token status %d", resp.StatusCode)
	}
	if st, err := os.Stat(opts.OAuth.GenerateKeyFile + ".pub"); err != nil || st.Size() == 0 {
		t.Errorf("public key file: %v", err)
	}
}
