package oktareceiver

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"os"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// newClient builds the Okta client of cfg on top of hc (built from cfg.ClientConfig); leader
// is nil without a leader_elector.
func newClient(cfg *Config, hc *http.Client, buildInfo component.BuildInfo, logger *zap.Logger, leader oktaapi.Leader) (*oktaapi.Client, error) {
	p, err := clientParams(cfg, hc, buildInfo, logger, leader)
	if err != nil {
		return nil, err
	}
	return oktaapi.New(p)
}

// clientParams are the oktaapi.Params of cfg: an SSWS API token, or OAuth with the
// client-assertion key and the DPoP session of oauth.dpop.
func clientParams(cfg *Config, hc *http.Client, buildInfo component.BuildInfo, logger *zap.Logger, leader oktaapi.Leader) (oktaapi.Params, error) {
	auth := oktaapi.APIToken(string(cfg.APIToken))
	if cfg.APIToken == "" {
		key, err := cfg.OAuth.loadKey()
		if err != nil {
			return oktaapi.Params{}, err
		}
		session, err := cfg.OAuth.newDPoPSession()
		if err != nil {
			return oktaapi.Params{}, err
		}
		auth = oktaapi.OAuth(oktaapi.OAuthParams{
			ClientID: cfg.OAuth.ClientID, KeyID: cfg.OAuth.KeyID, Scopes: cfg.OAuth.Scopes, Key: key, DPoP: session,
		})
	}
	return oktaapi.Params{
		Endpoint:  cfg.ClientConfig.Endpoint,
		HTTP:      hc,
		Auth:      auth,
		Budget:    cfg.RateLimit.Budget,
		UserAgent: "otelcol-okta/" + buildInfo.Version,
		Logger:    logger,
		Leader:    leader,
	}, nil
}

// loadKey reads and parses the configured RSA private key (PKCS#1 or PKCS#8 PEM). Errors
// name the key that holds the bad value and never contain key material.
func (o OAuthConfig) loadKey() (*rsa.PrivateKey, error) {
	key := "oauth.private_key"
	pemBytes := []byte(o.PrivateKey)
	if o.PrivateKeyFile != "" {
		key = "oauth.private_key_file"
		b, err := os.ReadFile(o.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read %q: %w", key, o.PrivateKeyFile, errors.Unwrap(err))
		}
		pemBytes = b
	}
	k, err := oktaapi.ParseRSAPrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return k, nil
}
