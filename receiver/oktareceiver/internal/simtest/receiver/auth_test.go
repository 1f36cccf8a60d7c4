package receiver_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// TestOAuthPrivateKeyJWT: a receiver configured with a service app's PKCS#1 key (inline) or
// PKCS#8 key (file) gets a token from the org authorization server, uses it as Bearer, and
// caches it across requests and full syncs.
func TestOAuthPrivateKeyJWT(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	forms := map[string][]byte{
		"pkcs1": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		"pkcs8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}
	for name, pemBytes := range forms {
		t.Run(name, func(t *testing.T) {
			srv, url := simtest.StartSim(t, func(o *oktasim.Options) {
				o.Platform.OAuth.PublicKey = &key.PublicKey
			})
			file := filepath.Join(t.TempDir(), "key.pem")
			require.NoError(t, os.WriteFile(file, pemBytes, 0o600))
			cfg := receiverConfig(t, url, "")
			cfg.OAuth.ClientID = oktasim.DefaultOAuthClientID
			if name == "pkcs8" {
				cfg.OAuth.PrivateKeyFile = file
			} else {
				cfg.OAuth.PrivateKey = configopaque.String(pemBytes)
			}
			collectOnly(cfg, resOrg, resUser, resGroup)
			sink, host, stop := startLogsReceiver(t, cfg)
			waitForFullSyncs(t, sink, stop, len(srv.GroundTruth().IDs[resUser]), 2)
			assert.Empty(t, host.Errs(), "no listing failed")
			assert.Equal(t, int64(1), srv.PlatformStats().TokensIssued, "the token is cached")
		})
	}
}
