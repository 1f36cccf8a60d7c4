package receiver_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

func mustParseURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// receiverTestdata is the receiver's testdata folder (this module sits inside the receiver's).
var receiverTestdata = filepath.Join("..", "..", "..", "testdata")

// testClientKeyFile is the service app's client-assertion key of these tests.
var testClientKeyFile = filepath.Join(receiverTestdata, "keys", "rsa_pkcs1.pem")

// testDPoPKeyFile is an EC P-256 DPoP key.
var testDPoPKeyFile = filepath.Join(receiverTestdata, "keys", "ec.pem")

// simClock is a simulator clock a test moves; its offset starts at skew.
type simClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *simClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// startDPoPSim starts a simulator whose service app has testClientKeyFile's public key,
// with DPoP required when dpopRequired, on clock (nil: the wall clock).
func startDPoPSim(t *testing.T, dpopRequired bool, clock *simClock, mutate func(*oktasim.Options)) (*oktasim.Server, string) {
	t.Helper()
	b, err := os.ReadFile(testClientKeyFile)
	require.NoError(t, err)
	block, _ := pem.Decode(b)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	require.NoError(t, err)
	return simtest.StartSim(t, func(o *oktasim.Options) {
		o.Platform.OAuth.PublicKey = &key.PublicKey
		o.Platform.OAuth.DPoP = dpopRequired
		if clock != nil {
			o.Clock = clock.now
		}
		if mutate != nil {
			mutate(o)
		}
	})
}

// withOAuth configures the service app of startDPoPSim with oauth.dpop = mode.
func withOAuth(mode oktareceiver.DPoPMode) func(*oktareceiver.Config) {
	return func(c *oktareceiver.Config) {
		c.OAuth.ClientID = oktasim.DefaultOAuthClientID
		c.OAuth.PrivateKeyFile = testClientKeyFile
		c.OAuth.DPoP = mode
	}
}

// simClient is an Okta client of the service app of startDPoPSim with its authenticator,
// which the tests ask for the credential of a request and tell to drop its token.
type simClient struct {
	*oktaapi.Client
	auth oktaapi.Authenticator
}

// newSimClient builds an Okta client for the org at url that authenticates as the service app
// of startDPoPSim with a DPoP session of mode, whose key is read from dpopKeyFile ("": a
// P-256 key generated now), as the receiver builds it from oauth.dpop and
// oauth.dpop_private_key_file.
func newSimClient(t *testing.T, url string, mode dpop.Mode, dpopKeyFile string) simClient {
	t.Helper()
	b, err := os.ReadFile(testClientKeyFile)
	require.NoError(t, err)
	key, err := oktaapi.ParseRSAPrivateKey(b)
	require.NoError(t, err)
	var signer *dpop.Signer
	if mode != dpop.Never {
		var dk crypto.Signer
		if dpopKeyFile != "" {
			b, err := os.ReadFile(dpopKeyFile)
			require.NoError(t, err)
			dk, err = dpop.ParsePrivateKey(b)
			require.NoError(t, err)
		} else {
			dk, err = dpop.GenerateKey()
			require.NoError(t, err)
		}
		signer, err = dpop.NewSigner(dk)
		require.NoError(t, err)
	}
	session, err := dpop.NewSession(mode, signer)
	require.NoError(t, err)
	build := oktaapi.OAuth(oktaapi.OAuthParams{
		ClientID: oktasim.DefaultOAuthClientID, Scopes: resource.Scopes("okta.logs.read"), Key: key, DPoP: session,
	})
	var sc simClient
	sc.Client, err = oktaapi.New(oktaapi.Params{
		Endpoint: url, HTTP: &http.Client{Timeout: 30 * time.Second}, Budget: 0.5, UserAgent: "otelcol-okta/test",
		Auth: func(c *oktaapi.Client) (oktaapi.Authenticator, error) {
			a, err := build(c)
			sc.auth = a
			return a, err
		},
	})
	require.NoError(t, err)
	t.Cleanup(sc.Close)
	return sc
}

// credential returns the Authorization and DPoP headers the client would send with a GET
// of the org's users (fetching a token when none is cached).
func (c simClient) credential(t *testing.T) (authorization, proof string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.OrgURL()+"/api/v1/users", http.NoBody)
	require.NoError(t, err)
	require.NoError(t, c.auth.Authorize(req))
	return req.Header.Get("Authorization"), req.Header.Get("DPoP")
}

// TestOAuthDPoPRequired: against a service app that requires DPoP (token endpoint and
// resource server both demanding nonces), a receiver with oauth.dpop auto or true collects the
// inventory with one DPoP-bound token, with the generated key and with a configured EC key;
// each server's first nonce challenge is met once and the nonce reused afterwards.
func TestOAuthDPoPRequired(t *testing.T) {
	for name, c := range map[string]struct {
		mode    oktareceiver.DPoPMode
		keyFile string
	}{
		"auto generated key": {oktareceiver.DPoPAuto, ""},
		"true generated key": {oktareceiver.DPoPTrue, ""},
		"true EC key file":   {oktareceiver.DPoPTrue, testDPoPKeyFile},
	} {
		t.Run(name, func(t *testing.T) {
			srv, url := startDPoPSim(t, true, nil, nil)
			cfg := receiverConfig(t, url, "")
			withOAuth(c.mode)(cfg)
			cfg.OAuth.DPoPPrivateKeyFile = c.keyFile
			collectOnly(cfg, resOrg, resUser, resGroup)
			sink, host, stop := startLogsReceiver(t, cfg)
			waitForFullSyncs(t, sink, stop, len(srv.GroundTruth().IDs[resUser]), 2)
			assert.Empty(t, host.Errs(), "no listing failed")
			st := srv.PlatformStats()
			assert.Equal(t, int64(1), st.TokensIssued, "the DPoP token is cached")
			assert.Equal(t, int64(2), st.DPoPNonceChallenges, "one nonce challenge per server, then the nonce is reused")
			assert.Zero(t, st.Unauthorized-1, "the only 401 is the resource server's nonce challenge")
		})
	}
}

// TestOAuthDPoPRSAKeyAgainstSim: a configured RSA DPoP key signs RS256 proofs Okta accepts.
func TestOAuthDPoPRSAKeyAgainstSim(t *testing.T) {
	_, url := startDPoPSim(t, true, nil, nil)
	keyFile := filepath.Join(t.TempDir(), "dpop-rsa.pem")
	require.NoError(t, os.WriteFile(keyFile, rsaKeyPEM(t), 0o600))
	c := newSimClient(t, url, dpop.Always, keyFile)
	_, err := c.Fetch(context.Background(), "/api/v1/users?limit=2")
	require.NoError(t, err)
}

// TestOAuthDPoPNotRequired: against a service app without DPoP, auto stays on Bearer
// tokens, and true sends proofs the org ignores and uses the Bearer token it gets.
func TestOAuthDPoPNotRequired(t *testing.T) {
	for _, mode := range []dpop.Mode{dpop.Auto, dpop.Always, dpop.Never} {
		t.Run(mode.String(), func(t *testing.T) {
			srv, url := startDPoPSim(t, false, nil, nil)
			c := newSimClient(t, url, mode, "")
			_, err := c.Fetch(context.Background(), "/api/v1/users?limit=2")
			require.NoError(t, err)
			header, proof := c.credential(t)
			assert.True(t, strings.HasPrefix(header, "Bearer "), "the org issued a Bearer token")
			assert.Empty(t, proof, "a Bearer token carries no DPoP proof")
			st := srv.PlatformStats()
			assert.Equal(t, int64(1), st.TokensIssued)
			assert.Zero(t, st.TokenErrors, "no token request was refused")
		})
	}
}

// TestOAuthDPoPFalseAgainstRequiredApp: oauth.dpop false against an app that requires
// DPoP fails with an error that says which setting to change.
func TestOAuthDPoPFalseAgainstRequiredApp(t *testing.T) {
	srv, url := startDPoPSim(t, true, nil, nil)
	c := newSimClient(t, url, dpop.Never, "")
	_, err := c.Fetch(context.Background(), "/api/v1/users")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the service app requires DPoP and oauth.dpop is false; set oauth.dpop to auto or true")
	assert.Contains(t, err.Error(), "invalid_dpop_proof")
	assert.Equal(t, int64(1), srv.PlatformStats().TokenErrors, "one token request, no retry")
}

// TestOAuthDPoPStaleNonces: once both servers' nonces expire, the next API call and the
// next token request each meet one use_dpop_nonce challenge and succeed.
func TestOAuthDPoPStaleNonces(t *testing.T) {
	clock := &simClock{}
	srv, url := startDPoPSim(t, true, clock, func(o *oktasim.Options) { o.Platform.OAuth.DPoPNonceLifetime = time.Minute })
	c := newSimClient(t, url, dpop.Auto, "")
	ctx := context.Background()
	_, err := c.Fetch(ctx, "/api/v1/users?limit=2")
	require.NoError(t, err)
	require.Equal(t, int64(2), srv.PlatformStats().DPoPNonceChallenges)

	// 90 s on the simulator's clock: both nonces expired, proofs' iat still in the window.
	clock.advance(90 * time.Second)
	_, err = c.Fetch(ctx, "/api/v1/users?limit=2")
	require.NoError(t, err, "a stale resource-server nonce is renewed")
	assert.Equal(t, int64(3), srv.PlatformStats().DPoPNonceChallenges)

	require.True(t, c.auth.Invalidate()) // the next call fetches a token with the stale authorization-server nonce
	_, err = c.Fetch(ctx, "/api/v1/groups?limit=2")
	require.NoError(t, err, "a stale authorization-server nonce is renewed")
	st := srv.PlatformStats()
	assert.Equal(t, int64(4), st.DPoPNonceChallenges, "the resource nonce was still fresh; only the token endpoint challenged")
	assert.Equal(t, int64(2), st.TokensIssued)
}

// TestOAuthDPoPClockSkew: when the collector's clock and Okta's differ by more than the
// proof window, the token request fails with the cause named (no retry loop).
func TestOAuthDPoPClockSkew(t *testing.T) {
	for name, offset := range map[string]time.Duration{
		// Okta's clock behind ours: our iat lies in its future.
		"iat in the future": -2 * time.Minute,
		// Okta's clock ahead: our iat is older than the window (the client assertion,
		// valid for 5 minutes, is still accepted).
		"iat too old": 5*time.Minute + 10*time.Second,
	} {
		t.Run(name, func(t *testing.T) {
			clock := &simClock{offset: offset}
			srv, url := startDPoPSim(t, true, clock, nil)
			c := newSimClient(t, url, dpop.Auto, "")
			_, err := c.Fetch(context.Background(), "/api/v1/users")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid_dpop_proof: The DPoP proof 'iat' claim is outside the allowed time window.")
			assert.Equal(t, int64(2), srv.PlatformStats().TokenErrors, "auto's proof-less request, then one proof; no loop")
		})
	}
}

// tamperProxy sits between the receiver and the simulator and changes API calls
// (never token requests) with tamper.
func tamperProxy(t *testing.T, target string, tamper func(r *http.Request)) string {
	t.Helper()
	u := mustParseURL(t, target)
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(u)
		pr.Out.Host = pr.In.Host // the simulator checks htu against the Host the client used
		if strings.HasPrefix(pr.Out.URL.Path, "/api/") {
			tamper(pr.Out)
		}
	}}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestOAuthDPoPRefusedProofs: a proof the resource server refuses for a reason no nonce
// can fix ends the call with an error that names the cause; the token is not dropped
// for it (a new token would not help).
func TestOAuthDPoPRefusedProofs(t *testing.T) {
	var mu sync.Mutex
	var firstProof, otherToken string
	cases := map[string]struct {
		tamper func(r *http.Request)
		want   string
	}{
		"missing proof": {func(r *http.Request) { r.Header.Del("DPoP") }, "The DPoP proof JWT header is missing."},
		"replayed jti": {func(r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			if firstProof == "" {
				firstProof = r.Header.Get("DPoP")
				return
			}
			r.Header.Set("DPoP", firstProof)
		}, "The DPoP proof 'jti' has already been used."},
		"wrong htu (Host rewritten)":   {func(r *http.Request) { r.Host = "acme.okta.example" }, "The DPoP proof 'htu' claim does not match the URL of the request."},
		"wrong htm (method rewritten)": {func(r *http.Request) { r.Method = http.MethodPost }, "The DPoP proof 'htm' claim does not match the HTTP method of the request."},
		"wrong ath (token swapped)": {func(r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			r.Header.Set("Authorization", "DPoP "+otherToken)
		}, "The DPoP proof 'ath' claim does not match the access token."},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			firstProof = ""
			srv, simURL := startDPoPSim(t, true, nil, func(o *oktasim.Options) { o.Platform.OAuth.DPoPResourceNonce = false })
			// A second token bound to the same key, for the proxy that swaps tokens.
			other := newSimClient(t, simURL, dpop.Always, testDPoPKeyFile)
			header, proof := other.credential(t)
			require.True(t, strings.HasPrefix(header, "DPoP "), "the org issued a DPoP-bound token")
			require.NotEmpty(t, proof)
			mu.Lock()
			otherToken = strings.TrimPrefix(header, "DPoP ")
			mu.Unlock()

			c1 := newSimClient(t, tamperProxy(t, simURL, c.tamper), dpop.Always, testDPoPKeyFile)
			ctx := context.Background()
			var lastErr error
			for range 2 { // the replay case needs a first call whose proof is replayed
				_, lastErr = c1.Fetch(ctx, "/api/v1/users?limit=2")
				if lastErr != nil {
					break
				}
			}
			require.Error(t, lastErr)
			assert.Contains(t, lastErr.Error(), "okta API status 401 E0000011: Invalid token provided (invalid_dpop_proof: "+c.want+")")
			assert.Equal(t, int64(2), srv.PlatformStats().TokensIssued, "one token per client: a proof refusal keeps the token")
		})
	}
}

// rsaKeyPEM returns a fresh 2048-bit RSA key as PKCS#8 PEM.
func rsaKeyPEM(t testing.TB) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
