package oktareceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// unmarshalAndValidate does what the collector does with a receiver block: decode it over
// the defaults, then validate the result (every nested Validate method included).
func unmarshalAndValidate(raw map[string]any) (*Config, error) {
	cfg := createDefaultConfig().(*Config)
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		return cfg, err
	}
	return cfg, confmap.Validate(cfg)
}

// TestConfigEmptyBlocksKeepDefaults: an entry or section without keys means the defaults.
func TestConfigEmptyBlocksKeepDefaults(t *testing.T) {
	for name, raw := range map[string]map[string]any{
		"user: {}":             {"inventory": map[string]any{"resources": map[string]any{"user": map[string]any{}}}},
		"user: null":           {"inventory": map[string]any{"resources": map[string]any{"user": nil}}},
		"group_membership: {}": {"inventory": map[string]any{"resources": map[string]any{"group_membership": map[string]any{}}}},
		"system_log: {}":       {"system_log": map[string]any{}},
		"event_hooks: {}":      {"event_hooks": map[string]any{}},
	} {
		t.Run(name, func(t *testing.T) {
			raw["endpoint"], raw["api_token"] = "https://acme.okta.com", "t"
			cfg, err := unmarshalAndValidate(raw)
			require.NoError(t, err)
			for _, typ := range allResourceTypes {
				assert.Equal(t, defaultEnabled(typ), cfg.Inventory.enabled(typ), typ)
			}
			assert.Equal(t, systemlog.DefaultConfig(), cfg.SystemLog)
			assert.Equal(t, systemlog.DefaultHooksConfig().MaxEventsPerDelivery, cfg.EventHooks.MaxEventsPerDelivery)
			assert.Equal(t, systemlog.DefaultHooksConfig().Server.ReadTimeout, cfg.EventHooks.Server.ReadTimeout)
		})
	}
	// An explicit toggle still wins.
	cfg, err := unmarshalAndValidate(map[string]any{
		"endpoint": "https://acme.okta.com", "api_token": "t",
		"inventory": map[string]any{"resources": map[string]any{
			"user_factor": map[string]any{"enabled": false}, "group_membership": map[string]any{"enabled": true},
		}},
	})
	require.NoError(t, err)
	assert.False(t, cfg.Inventory.enabled(resUserFactor))
	assert.True(t, cfg.Inventory.enabled(resGroupMembership))
}

// TestConfigGoodFiltersPass: filters Okta documents as valid pass the local check.
func TestConfigGoodFiltersPass(t *testing.T) {
	for _, f := range []string{
		`eventType eq "user.session.start"`,
		`eventType eq "user.session.start" and outcome.result eq "FAILURE"`,
		`eventType sw "user." or eventType sw "group."`,
		`target.id eq "00u1abcd"`,
		`actor.id ne "00u1"`,
		`transaction.detail.requestApiTokenId eq "00T1"`,
		`debugContext.debugData.requestUri sw "/api/v1"`,
		`(eventType sw "user." or eventType sw "group.") and not (outcome.result eq "SUCCESS")`,
		`client.ipAddress pr`,
		`securityContext.isProxy eq true`,
		`displayMessage co "password \"reset\""`,
		`severity eq "WARN" AND eventType EQ "x"`,
	} {
		sl := systemlog.DefaultConfig()
		sl.Filter = f
		assert.NoError(t, sl.Check(), f)
	}
}

// TestRedactUserinfo: a URL password never survives, parsable or not.
func TestRedactUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pa55@acme.okta.com":      "https://***@acme.okta.com",
		"https://user:pa55@acme .okta.com/x?y": "https://***@acme .okta.com/x?y",
		"user:pa55@acme.okta.com":              "***@acme.okta.com",
		"https://acme.okta.com/path@x":         "https://acme.okta.com/path@x",
		"https://a:b@c@acme.okta.com":          "https://***@acme.okta.com",
		"http://proxy.internal:3128":           "http://proxy.internal:3128",
	} {
		assert.Equal(t, want, redactUserinfo(in), in)
	}
}
