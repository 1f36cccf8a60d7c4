package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
)

// TestRulesResourceTypesMatchReceiver checks that the resource types the rules processor accepts
// in applies_to are exactly the okta.resource.type values the receiver emits (the receiver's
// default inventory configuration has one entry per type). The processor keeps its own list so
// that it does not import the receiver; this test keeps the two equal.
func TestRulesResourceTypesMatchReceiver(t *testing.T) {
	cfg, ok := oktareceiver.NewFactory().CreateDefaultConfig().(*oktareceiver.Config)
	if !ok {
		t.Fatal("unexpected receiver config type")
	}
	var receiver []string
	for name := range cfg.Inventory.Resources {
		receiver = append(receiver, name)
	}
	processor := rulesprocessor.ResourceTypes()
	slices.Sort(receiver)
	slices.Sort(processor)
	if !slices.Equal(receiver, processor) {
		t.Errorf("resource types differ:\nreceiver:  %v\nprocessor: %v", receiver, processor)
	}
}

// rulesValidateConfig wraps a rules processor block in a minimal pipeline.
const rulesValidateConfig = `
receivers:
  okta:
    endpoint: https://acme.okta.com
    api_token: ${env:OKTA_API_TOKEN}
processors:
  rules:
%s
exporters:
  debug:
service:
  pipelines:
    logs:
      receivers: [okta]
      processors: [rules]
      exporters: [debug]
`

// TestRulesValidateBadConfigCorpus runs `otelcol-okta validate` on every case of the rules
// processor's corpus of bad configurations: the real collector must refuse each one, naming the
// case's key as many times as the case expects errors (so no error is printed twice).
func TestRulesValidateBadConfigCorpus(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "processor", "rulesprocessor", "testdata", "bad_configs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name   string         `yaml:"name"`
			Key    string         `yaml:"key"`
			Hint   string         `yaml:"hint"`
			Errors int            `yaml:"errors"`
			Config map[string]any `yaml:"config"`
		} `yaml:"cases"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(doc.Cases))
	}
	dir := t.TempDir()
	for i, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			block, err := yaml.Marshal(c.Config)
			if err != nil {
				t.Fatal(err)
			}
			indented := "    " + strings.ReplaceAll(strings.TrimRight(string(block), "\n"), "\n", "\n    ")
			path := writeFile(t, dir, fmt.Sprintf("case-%d.yaml", i), fmt.Sprintf(rulesValidateConfig, indented))
			cmd := exec.Command(collectorBin, "validate", "--config", path)
			cmd.Env = append(os.Environ(), "OKTA_API_TOKEN=e2e-token")
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("validate accepted the configuration:\n%s", block)
			}
			// The collector names the component "processors::rules:"; that is not the key "rules".
			msg := strings.ReplaceAll(string(out), "processors::rules:", "processors::[rules]")
			want := max(c.Errors, 1)
			mentions := strings.Count(msg, fmt.Sprintf("%q", c.Key)) + strings.Count(msg, "'"+c.Key+"'") + strings.Count(msg, c.Key+":")
			if mentions != want {
				t.Errorf("the output names %q %d times, want %d:\n%s", c.Key, mentions, want, msg)
			}
			if c.Hint != "" && !strings.Contains(msg, fmt.Sprintf("did you mean %q?", c.Hint)) {
				t.Errorf("the output does not suggest %q:\n%s", c.Hint, msg)
			}
		})
	}
}
