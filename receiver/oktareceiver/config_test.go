package oktareceiver

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// loadTestConfig unmarshals the entry id of testdata/config.yaml over the defaults.
func loadTestConfig(t *testing.T, id string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id)
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := sub.Unmarshal(cfg); err != nil {
		return cfg, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadTestConfig(t, component.NewID(metadata.Type).String())
	require.NoError(t, err)
	assert.Equal(t, "https://acme.okta.com", cfg.ClientConfig.Endpoint)
	assert.Equal(t, 30*time.Second, cfg.ClientConfig.Timeout)
	assert.Equal(t, 6*time.Hour, cfg.Inventory.FullSyncInterval)
	assert.Equal(t, time.Minute, cfg.Inventory.IncrementalInterval)
	assert.InDelta(t, 0.5, cfg.RateLimit.Budget, 1e-9)
	assert.Equal(t, time.Minute, cfg.CollectionInterval)
	assert.Nil(t, cfg.StorageID)
	assert.Equal(t, defaultScopes, cfg.OAuth.Scopes)
	for _, typ := range allResourceTypes {
		assert.Equal(t, typ != resGroupMembership, cfg.Inventory.enabled(typ), typ)
	}
	assert.True(t, cfg.SystemLog.Enabled)
	assert.False(t, cfg.EventHooks.Enabled)
	assert.True(t, cfg.MetricsBuilderConfig.Metrics.OktaUsers.Enabled)
}

func TestConfigCustom(t *testing.T) {
	cfg, err := loadTestConfig(t, "okta/custom")
	require.NoError(t, err)
	assert.Equal(t, "https://acme.okta.com/", cfg.ClientConfig.Endpoint)
	assert.Equal(t, 45*time.Second, cfg.ClientConfig.Timeout)
	assert.Equal(t, "http://127.0.0.1:3128", cfg.ClientConfig.ProxyURL)
	assert.Equal(t, "ca.pem", cfg.ClientConfig.TLS.CAFile)
	assert.Equal(t, "0oa1example", cfg.OAuth.ClientID)
	assert.Equal(t, "kid-1", cfg.OAuth.KeyID)
	assert.Equal(t, []string{"okta.users.read", "okta.groups.read", "okta.logs.read"}, cfg.OAuth.Scopes)
	assert.Empty(t, string(cfg.APIToken))
	assert.Equal(t, 12*time.Hour, cfg.Inventory.FullSyncInterval)
	assert.Equal(t, 5*time.Minute, cfg.Inventory.IncrementalInterval)
	// Resource toggles merge with the defaults.
	assert.True(t, cfg.Inventory.enabled(resGroupMembership))
	assert.False(t, cfg.Inventory.enabled(resUserFactor))
	assert.False(t, cfg.Inventory.enabled(resAPIToken))
	assert.True(t, cfg.Inventory.enabled(resUser))
	assert.InDelta(t, 0.25, cfg.RateLimit.Budget, 1e-9)
	require.NotNil(t, cfg.StorageID)
	assert.Equal(t, "file_storage/okta", cfg.StorageID.String())
	assert.Equal(t, 30*time.Second, cfg.CollectionInterval)
	assert.False(t, cfg.MetricsBuilderConfig.Metrics.OktaUsers.Enabled)
	assert.False(t, cfg.MetricsBuilderConfig.ResourceAttributes.OktaOrgID.Enabled)
	// The headers key of the HTTP client survived the squash.
	assert.Len(t, cfg.ClientConfig.Headers, 1)
}

func TestConfigOAuthPKCS1AndLoopbackHTTP(t *testing.T) {
	_, err := loadTestConfig(t, "okta/oauth_pkcs1_inline")
	require.NoError(t, err)
}

// TestConfigInvalid checks that every bad value fails with an error naming its key.
func TestConfigInvalid(t *testing.T) {
	tests := map[string]string{
		"invalid_endpoint_missing":         "endpoint must be set",
		"invalid_endpoint_not_url":         "endpoint",
		"invalid_endpoint_no_scheme":       "endpoint \"acme.okta.com\" must be an absolute http(s) URL",
		"invalid_endpoint_ftp":             "endpoint \"ftp://acme.okta.com\" must be an absolute http(s) URL",
		"invalid_endpoint_http_remote":     "endpoint \"http://acme.okta.com\" must use https",
		"invalid_endpoint_http_private_ip": "endpoint \"http://10.0.0.5\" must use https",
		"invalid_endpoint_path":            "endpoint \"https://acme.okta.com/api/v1\" must be the org URL without a path",
		"invalid_endpoint_query":           "endpoint \"https://acme.okta.com?x=1\" must not have a query",
		"invalid_endpoint_userinfo":        "must not carry credentials in the URL",
		"invalid_endpoint_admin":           "is an admin console URL",
		"invalid_no_auth":                  "api_token or oauth must be set",
		"invalid_two_auth":                 "api_token and oauth are both set",
		"invalid_token_whitespace":         "api_token must not contain whitespace",
		"invalid_oauth_no_client_id":       "oauth.client_id must be set",
		"invalid_oauth_no_key":             "oauth.private_key_file or oauth.private_key must be set",
		"invalid_oauth_two_keys":           "oauth.private_key_file and oauth.private_key are both set",
		"invalid_oauth_key_file_missing":   "oauth.private_key_file: cannot read",
		"invalid_oauth_key_not_pem":        "oauth.private_key_file: no PEM block found",
		"invalid_oauth_key_ec":             "oauth.private_key_file: PEM block \"EC PRIVATE KEY\" is not an RSA private key",
		"invalid_oauth_key_ec_pkcs8":       "oauth.private_key_file: PKCS#8 key is *ecdsa.PrivateKey, not an RSA key",
		"invalid_oauth_key_too_short":      "oauth.private_key_file: RSA key has 1024 bits",
		"invalid_oauth_inline_key_garbage": "oauth.private_key: no PEM block found",
		"invalid_oauth_scopes_empty":       "oauth.scopes must not be empty",
		"invalid_oauth_scope_blank":        "oauth.scopes[1] \"okta groups\" is not a scope name",
		"invalid_full_sync_zero":           "inventory.full_sync_interval must be >= 1s",
		"invalid_full_sync_negative":       "inventory.full_sync_interval must be >= 1s",
		"invalid_incremental_zero":         "inventory.incremental_interval must be >= 1s",
		"invalid_incremental_not_shorter":  "inventory.incremental_interval (1h0m0s) must be shorter than inventory.full_sync_interval",
		"invalid_resource_unknown":         "inventory.resources.printers: unknown resource type",
		"invalid_resource_plural":          "inventory.resources.users: unknown resource type (did you mean \"user\"?)",
		"invalid_child_without_parent":     "inventory.resources.user_factor needs inventory.resources.user",
		"invalid_budget_zero":              "rate_limit.budget must be in (0, 1], got 0",
		"invalid_budget_above_one":         "rate_limit.budget must be in (0, 1], got 1.5",
		"invalid_budget_negative":          "rate_limit.budget must be in (0, 1], got -0.2",
		"invalid_collection_interval":      "collection_interval must be >= 1s",
		"invalid_timeout_negative":         "timeout must be > 0",
		"invalid_system_log_poll_interval": "system_log.poll_interval must be >= 1s",
		"invalid_event_hooks_no_secret":    "event_hooks.secret must be set",
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadTestConfig(t, "okta/"+name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

// TestConfigErrorsNeverContainSecrets: the token and inline key never appear in errors.
func TestConfigErrorsNeverContainSecrets(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "http://acme.okta.com"
	cfg.APIToken = "super secret token"
	cfg.OAuth.PrivateKey = "-----BEGIN RSA PRIVATE KEY-----\nAAAAsecretmaterial\n-----END RSA PRIVATE KEY-----"
	cfg.OAuth.ClientID = "0oa1"
	err := cfg.Validate()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "super secret")
	assert.NotContains(t, err.Error(), "secretmaterial")
}

func TestLoopbackHosts(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:9", "http://localhost:1", "http://LOCALHOST"} {
		assert.NoError(t, validateEndpoint(ok), ok)
	}
	for _, bad := range []string{"http://127.0.0.1.nip.io", "http://[::2]", "http://192.168.1.1", "http://localhost.evil.com"} {
		assert.Error(t, validateEndpoint(bad), bad)
	}
}

// TestDefaultScopesAreTheTablesAndTheREADMEs: the default OAuth scopes come from the resource
// table (plus the System Log's), and the README's list for an OAuth service app is that list.
func TestDefaultScopesAreTheTablesAndTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "   Scopes: ")
	require.True(t, ok, "README.md has no OAuth scope list")
	list, _, ok := strings.Cut(rest, "(request only")
	require.True(t, ok)
	assert.Equal(t, strings.Fields(list), defaultScopes)
	assert.Contains(t, defaultScopes, systemLogScope)
	assert.True(t, slices.IsSorted(defaultScopes))
}
