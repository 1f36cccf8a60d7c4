package rulesprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := createDefaultConfig()
	require.NoError(t, confmap.Validate(cfg))
	rs, err := compileRuleSet(cfg, nopTelemetry())
	require.NoError(t, err)
	assert.NotEmpty(t, rs.rules)
}

func TestPackSizes(t *testing.T) {
	counts := map[string]int{}
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	for _, r := range rs.rules {
		counts[r.ruleset]++
	}
	assert.GreaterOrEqual(t, counts[packPosture], 50, "okta-posture must ship at least 50 rules")
	assert.GreaterOrEqual(t, counts[packDetections], 45, "okta-detections must ship at least 45 rules")
	for _, r := range rs.rules {
		assert.NotEmpty(t, r.Remediation, "rule %s has no remediation", r.ID)
		assert.NotEmpty(t, r.References, "rule %s has no references", r.ID)
		assert.False(t, r.AppliesTo.empty(), "pack rule %s declares no applies_to (it would run on every record)", r.ID)
	}
}

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	t.Run("defaults", func(t *testing.T) {
		cfg := loadSub(t, cm, component.NewID(metadata.Type))
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, createDefaultConfig(), cfg)
	})
	t.Run("custom", func(t *testing.T) {
		cfg := loadSub(t, cm, component.NewIDWithName(metadata.Type, "custom"))
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, []string{packPosture}, cfg.Packs)
		assert.Equal(t, []string{"OKTA-POS-048"}, cfg.Disable)
		assert.False(t, cfg.TagRecords)
		assert.Equal(t, 2*time.Minute, cfg.Summary.Interval)
		require.Len(t, cfg.Rules, 2)
		assert.Equal(t, "ACME-001", cfg.Rules[0].ID)
		require.NotNil(t, cfg.Rules[1].Threshold)
		assert.Equal(t, 5*time.Minute, cfg.Rules[1].Threshold.Window)
		rs, err := compileRuleSet(cfg, nopTelemetry())
		require.NoError(t, err)
		for _, r := range rs.rules {
			assert.NotEqual(t, "OKTA-POS-048", r.ID, "disabled rule must not be compiled")
			if r.ID == "OKTA-POS-001" {
				assert.Contains(t, r.Condition, "< 12", "param min_password_length must be substituted")
			}
			if r.ID == "ACME-001" {
				assert.Equal(t, []string{"user"}, r.AppliesTo.ResourceTypes, "keys derived from a simple match")
			}
		}
	})

	invalid := []struct {
		name string
		want []string
	}{
		{"bad_ottl", []string{`rule "BAD-1" (user)`, "condition:"}},
		{"bad_match", []string{`rule "BAD-2" (user)`, "match:"}},
		{"unknown_pack", []string{`unknown pack "okta-nope"`}},
		{"unknown_param", []string{`unknown param "min_pasword_length"`}},
		{"bad_param_type", []string{`params: "min_password_length": want an integer`}},
		{"duplicate_id", []string{`duplicate rule id "OKTA-POS-001"`}},
		{"bad_severity", []string{`rule "BAD-3"`, `severity: "urgent"`}},
		{"bad_category", []string{`rule "BAD-4"`, `category: "compliance"`}},
		{"bad_threshold", []string{`rule "BAD-5"`, "threshold.count: must be an integer from 1 to 1000, got 0", "threshold.window: must be positive"}},
		{"bad_group_by", []string{`rule "BAD-6"`, "threshold.group_by"}},
		{"unknown_disable", []string{`disable: unknown rule id "OKTA-POS-999"`}},
		{"bad_aggregate", []string{`rule "BAD-7"`, "aggregate: set exactly one of min, max"}},
		{"bad_summary", []string{"summary.interval: must be at least 1s, got 0s"}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loadSub(t, cm, component.NewIDWithName(metadata.Type, tc.name))
			err := confmap.Validate(cfg)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

func loadSub(t *testing.T, cm *confmap.Conf, id component.ID) *Config {
	t.Helper()
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}
