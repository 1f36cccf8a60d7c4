package rulesprocessor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"
)

// badConfigCase is one entry of testdata/bad_configs.yaml (the file explains the fields).
type badConfigCase struct {
	Name   string         `yaml:"name"`
	Key    string         `yaml:"key"`
	Hint   string         `yaml:"hint"`
	Want   []string       `yaml:"want"`
	Reject []string       `yaml:"reject"`
	Errors int            `yaml:"errors"`
	Config map[string]any `yaml:"config"`
}

func loadBadConfigs(t *testing.T) []badConfigCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "bad_configs.yaml"))
	require.NoError(t, err)
	var doc struct {
		Cases []badConfigCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(&doc))
	return doc.Cases
}

// loadAndValidate decodes a processor block the way the collector does (over the factory's
// defaults, through the config's Unmarshal) and validates it.
func loadAndValidate(raw map[string]any) error {
	cfg := NewFactory().CreateDefaultConfig()
	if err := confmap.NewFromStringMap(raw).Unmarshal(&cfg); err != nil {
		return err
	}
	return confmap.Validate(cfg)
}

// keyMentions counts the places an error names key: quoted, or as a path before a colon.
func keyMentions(msg, key string) int {
	return strings.Count(msg, fmt.Sprintf("%q", key)) + strings.Count(msg, "'"+key+"'") + strings.Count(msg, key+":")
}

// TestBadConfigCorpus feeds every bad configuration of the corpus through decoding and
// validation: each must fail with an error that names its key (once per expected error), the
// nearest valid name where the case gives one, and the other texts the case lists.
func TestBadConfigCorpus(t *testing.T) {
	cases := loadBadConfigs(t)
	require.GreaterOrEqual(t, len(cases), 40, "the corpus must keep at least 40 cases")
	names := map[string]bool{}
	for _, c := range cases {
		require.NotEmpty(t, c.Key, "case %q names no key", c.Name)
		require.False(t, names[c.Name], "duplicate case name %q", c.Name)
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			err := loadAndValidate(c.Config)
			require.Error(t, err, "configuration accepted")
			msg := err.Error()
			want := max(c.Errors, 1)
			assert.Equal(t, want, keyMentions(msg, c.Key), "the error must name %q exactly %d time(s):\n%s", c.Key, want, msg)
			if c.Hint != "" {
				assert.Contains(t, msg, fmt.Sprintf("did you mean %q?", c.Hint))
			}
			for _, w := range c.Want {
				assert.Contains(t, msg, w)
			}
			for _, r := range c.Reject {
				assert.NotContains(t, msg, r)
			}
			seen := map[string]bool{}
			for _, line := range strings.Split(msg, "\n") {
				if strings.TrimSpace(line) == "" {
					continue
				}
				assert.False(t, seen[line], "error line reported twice: %s", line)
				seen[line] = true
			}
		})
	}
	t.Logf("%d bad configurations checked", len(cases))
}

// TestEmptyBlocksMeanDefaults decodes empty and null blocks: each keeps the defaults.
func TestEmptyBlocksMeanDefaults(t *testing.T) {
	for _, doc := range []string{
		"summary: {}\n",
		"summary:\n",
		"packs:\n",
		"params: {}\n",
		"{}\n",
	} {
		t.Run(strings.TrimSpace(doc), func(t *testing.T) {
			var raw map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(doc), &raw))
			cfg := NewFactory().CreateDefaultConfig()
			require.NoError(t, confmap.NewFromStringMap(raw).Unmarshal(&cfg))
			require.NoError(t, confmap.Validate(cfg))
			got := cfg.(*Config)
			if len(got.Params) == 0 {
				got.Params = nil // {} and absent both mean "no overrides"
			}
			assert.Equal(t, createDefaultConfig(), got)
		})
	}
	// An empty applies_to means "derive the keys from the match", like no applies_to at all.
	raw := map[string]any{"packs": []any{}, "rules": []any{map[string]any{
		"id": "ACME-1", "name": "n", "severity": "low", "category": "posture",
		"match": `log.attributes["okta.resource.type"] == "user"`, "condition": "true", "applies_to": map[string]any{},
	}}}
	var cfg component.Config = NewFactory().CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(raw).Unmarshal(&cfg))
	rs, err := compileRuleSet(cfg.(*Config), nopTelemetry())
	require.NoError(t, err)
	assert.Equal(t, []string{"user"}, rs.rules[0].AppliesTo.ResourceTypes)
}

func TestDidYouMean(t *testing.T) {
	valid := []string{"count", "window", "group_by"}
	assert.Equal(t, ` (did you mean "count"?)`, didYouMean("cout", valid))
	assert.Equal(t, ` (did you mean "group_by"?)`, didYouMean("groupby", valid))
	assert.Empty(t, didYouMean("xyz", valid), "nothing close")
	assert.Empty(t, didYouMean("ab", []string{"cd"}), "two edits on two letters is not a typo")
	assert.Equal(t, ` (did you mean "window"?)`, didYouMean("wnidow", valid), "a swap of neighbours is a typo")
}
