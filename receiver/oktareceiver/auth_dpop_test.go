package oktareceiver

import (
	"context"
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

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

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

// testClientKeyFile is the service app's client-assertion key of these tests.
var testClientKeyFile = filepath.Join("testdata", "keys", "rsa_pkcs1.pem")

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
	return startInvSim(t, func(o *oktasim.Options) {
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
func withOAuth(mode DPoPMode) func(*Config) {
	return func(c *Config) {
		c.OAuth.ClientID = oktasim.DefaultOAuthClientID
		c.OAuth.PrivateKeyFile = testClientKeyFile
		c.OAuth.DPoP = mode
	}
}

// simClient is the receiver's Okta client with its authenticator, which the tests ask for
// the credential of a request and tell to drop its token.
type simClient struct {
	*oktaapi.Client
	auth oktaapi.Authenticator
}

// newSimClient builds the receiver's Okta client for the org at url.
func newSimClient(t *testing.T, url string, mutate ...func(*Config)) simClient {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = url
	for _, m := range mutate {
		m(cfg)
	}
	require.NoError(t, cfg.Validate())
	p, err := clientParams(cfg, &http.Client{Timeout: 30 * time.Second}, component.NewDefaultBuildInfo(), nil, nil)
	require.NoError(t, err)
	var sc simClient
	build := p.Auth
	p.Auth = func(c *oktaapi.Client) (oktaapi.Authenticator, error) {
		a, err := build(c)
		sc.auth = a
		return a, err
	}
	sc.Client, err = oktaapi.New(p)
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
// resource server both demanding nonces), auto and true collect the inventory with one
// DPoP-bound token, with the generated key and with configured EC and RSA keys; each
// server's first nonce challenge is met once and the nonce reused afterwards.
func TestOAuthDPoPRequired(t *testing.T) {
	for name, c := range map[string]struct {
		mode    DPoPMode
		keyFile string
	}{
		"auto generated key": {DPoPAuto, ""},
		"true generated key": {DPoPTrue, ""},
		"true EC key file":   {DPoPTrue, filepath.Join("testdata", "keys", "ec.pem")},
	} {
		t.Run(name, func(t *testing.T) {
			srv, url := startDPoPSim(t, true, nil, nil)
			inv, sink := simInventory(t, url, "", func(cfg *Config) {
				withOAuth(c.mode)(cfg)
				cfg.OAuth.DPoPPrivateKeyFile = c.keyFile
				for _, typ := range allResourceTypes {
					cfg.Inventory.Resources[typ] = ResourceConfig{Enabled: typ == resOrg || typ == resUser || typ == resGroup}
				}
			})
			inv.fullSync(context.Background())
			inv.fullSync(context.Background())
			assert.Empty(t, inv.stats().errors)
			got := snapshotIDs(records(sink))
			assert.Len(t, got[resUser], 2*len(srv.GroundTruth().IDs[resUser]), "both syncs delivered every user")
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
	c := newSimClient(t, url, withOAuth(DPoPTrue), func(cfg *Config) { cfg.OAuth.DPoPPrivateKeyFile = keyFile })
	_, err := c.Fetch(context.Background(), "/api/v1/users?limit=2")
	require.NoError(t, err)
}

// TestOAuthDPoPNotRequired: against a service app without DPoP, auto stays on Bearer
// tokens, and true sends proofs the org ignores and uses the Bearer token it gets.
func TestOAuthDPoPNotRequired(t *testing.T) {
	for _, mode := range []DPoPMode{DPoPAuto, DPoPTrue, DPoPFalse} {
		t.Run(string(mode), func(t *testing.T) {
			srv, url := startDPoPSim(t, false, nil, nil)
			c := newSimClient(t, url, withOAuth(mode))
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
	c := newSimClient(t, url, withOAuth(DPoPFalse))
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
	c := newSimClient(t, url, withOAuth(DPoPAuto))
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
			c := newSimClient(t, url, withOAuth(DPoPAuto))
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
	dpopKey := filepath.Join("testdata", "keys", "ec.pem")
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
			withKey := func(cfg *Config) { cfg.OAuth.DPoPPrivateKeyFile = dpopKey }
			// A second token bound to the same key, for the proxy that swaps tokens.
			other := newSimClient(t, simURL, withOAuth(DPoPTrue), withKey)
			header, proof := other.credential(t)
			require.True(t, strings.HasPrefix(header, "DPoP "), "the org issued a DPoP-bound token")
			require.NotEmpty(t, proof)
			mu.Lock()
			otherToken = strings.TrimPrefix(header, "DPoP ")
			mu.Unlock()

			c1 := newSimClient(t, tamperProxy(t, simURL, c.tamper), withOAuth(DPoPTrue), withKey)
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
