package oktareceiver

import (
	"context"
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
)

// TestOAuthPrivateKeyJWT: a service app with a PKCS#1 or PKCS#8 key gets a token from the
// org authorization server, uses it as Bearer, and caches it across requests.
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
			srv, url := startInvSim(t, func(o *oktasim.Options) {
				o.Platform.OAuth.PublicKey = &key.PublicKey
			})
			file := filepath.Join(t.TempDir(), "key.pem")
			require.NoError(t, os.WriteFile(file, pemBytes, 0o600))
			inv, sink := simInventory(t, url, "", func(c *Config) {
				c.OAuth.ClientID = oktasim.DefaultOAuthClientID
				if name == "pkcs8" {
					c.OAuth.PrivateKeyFile = file
				} else {
					c.OAuth.PrivateKey = configopaque.String(pemBytes)
				}
				for _, typ := range allResourceTypes {
					c.Inventory.Resources[typ] = ResourceConfig{Enabled: typ == resOrg || typ == resUser || typ == resGroup}
				}
			})
			inv.fullSync(context.Background())
			inv.fullSync(context.Background())
			assert.Empty(t, inv.stats().errors)
			got := snapshotIDs(records(sink))
			assert.Len(t, got[resUser], 2*len(srv.GroundTruth().IDs[resUser]))
			assert.Equal(t, int64(1), srv.PlatformStats().TokensIssued, "the token is cached")
		})
	}
}
