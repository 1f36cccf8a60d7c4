package oktaapi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keysDir holds the receiver's test keys (also used by its configuration tests).
var keysDir = filepath.Join("..", "..", "testdata", "keys")

func TestParseRSAPrivateKeyRejectsNonRSA(t *testing.T) {
	for _, f := range []string{"ec.pem", "ec_pkcs8.pem", "garbage.pem", "rsa_1024.pem"} {
		b, err := os.ReadFile(filepath.Join(keysDir, f))
		require.NoError(t, err)
		_, err = ParseRSAPrivateKey(b)
		assert.Error(t, err, f)
	}
	for _, f := range []string{"rsa_pkcs1.pem", "rsa_pkcs8.pem"} {
		b, err := os.ReadFile(filepath.Join(keysDir, f))
		require.NoError(t, err)
		_, err = ParseRSAPrivateKey(b)
		assert.NoError(t, err, f)
	}
	for _, f := range []string{"rsa_pkcs1_encrypted.pem", "rsa_pkcs8_encrypted.pem"} {
		b, err := os.ReadFile(filepath.Join(keysDir, f))
		require.NoError(t, err)
		_, err = ParseRSAPrivateKey(b)
		assert.ErrorIs(t, err, ErrEncryptedKey, f)
	}
}
