package oktareceiver

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// DPoPMode is oauth.dpop: when the receiver binds its access tokens to a key with DPoP
// (RFC 9449). "auto" (the default) uses DPoP once the token endpoint asks for it, "true"
// always, "false" never. YAML booleans and the strings "true"/"false" both work.
type DPoPMode string

// The values of oauth.dpop.
const (
	DPoPAuto  DPoPMode = "auto"
	DPoPTrue  DPoPMode = "true"
	DPoPFalse DPoPMode = "false"
)

// UnmarshalScalar accepts a YAML boolean or a string for oauth.dpop; the value is
// checked by Validate, so that a wrong one is reported with the other errors.
func (m *DPoPMode) UnmarshalScalar(v confmap.ScalarValue) error {
	switch raw := v.GetRaw().(type) {
	case nil:
		*m = ""
	case bool:
		*m = DPoPMode(strconv.FormatBool(raw))
	case string:
		*m = DPoPMode(strings.ToLower(strings.TrimSpace(raw)))
	default:
		return fmt.Errorf("oauth.dpop must be auto, true or false, got %v", raw)
	}
	return nil
}

// mode converts m to the dpop package's mode ("" is auto).
func (m DPoPMode) mode() (dpop.Mode, error) {
	switch m {
	case "", DPoPAuto:
		return dpop.Auto, nil
	case DPoPTrue:
		return dpop.Always, nil
	case DPoPFalse:
		return dpop.Never, nil
	}
	return 0, fmt.Errorf("oauth.dpop: unknown value %q; valid values: auto, true, false", string(m))
}

// validateDPoP checks oauth.dpop and the DPoP key settings.
func (o OAuthConfig) validateDPoP() []error {
	mode, err := o.DPoP.mode()
	if err != nil {
		return []error{err}
	}
	switch {
	case o.DPoPPrivateKeyFile != "" && o.DPoPPrivateKey != "":
		return []error{errors.New("oauth.dpop_private_key_file and oauth.dpop_private_key are both set; set one")}
	case mode == dpop.Never && (o.DPoPPrivateKeyFile != "" || o.DPoPPrivateKey != ""):
		return []error{errors.New("oauth.dpop_private_key is set but oauth.dpop is false; remove the key or set oauth.dpop to auto or true")}
	}
	key, keyName, err := o.loadDPoPKey()
	if err != nil || key == nil {
		return errorList(err)
	}
	if assertionKey, err := o.loadKey(); err == nil && dpop.SamePublicKey(key, assertionKey) {
		return []error{fmt.Errorf("%s: the DPoP key must differ from the client-assertion key (oauth.private_key); "+
			"generate a separate key, or leave it unset to use a key generated at start", keyName)}
	}
	return nil
}

// loadDPoPKey reads the configured DPoP key; nil (and no error) when none is set. keyName
// is the setting that holds it.
func (o OAuthConfig) loadDPoPKey() (key crypto.Signer, keyName string, err error) {
	keyName = "oauth.dpop_private_key"
	pemBytes := []byte(o.DPoPPrivateKey)
	if o.DPoPPrivateKeyFile != "" {
		keyName = "oauth.dpop_private_key_file"
		b, err := os.ReadFile(o.DPoPPrivateKeyFile)
		if err != nil {
			return nil, keyName, fmt.Errorf("%s: cannot read %q: %w", keyName, o.DPoPPrivateKeyFile, errors.Unwrap(err))
		}
		pemBytes = b
	}
	if len(pemBytes) == 0 {
		return nil, keyName, nil
	}
	k, err := dpop.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, keyName, fmt.Errorf("%s: %w", keyName, err)
	}
	return k, keyName, nil
}

// newDPoPSession builds the token source's DPoP session: the configured key, or a P-256
// key generated now when none is configured (no key at all when oauth.dpop is false).
func (o OAuthConfig) newDPoPSession() (*dpop.Session, error) {
	mode, err := o.DPoP.mode()
	if err != nil {
		return nil, err
	}
	if mode == dpop.Never {
		return dpop.NewSession(mode, nil)
	}
	key, keyName, err := o.loadDPoPKey()
	if err != nil {
		return nil, err
	}
	if key == nil {
		if key, err = dpop.GenerateKey(); err != nil {
			return nil, err
		}
	}
	signer, err := dpop.NewSigner(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyName, err)
	}
	return dpop.NewSession(mode, signer)
}

func errorList(err error) []error {
	if err == nil {
		return nil
	}
	return []error{err}
}
