package dashboards

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ruleGroup is one group of a Prometheus rule file.
type ruleGroup struct {
	Name  string `yaml:"name"`
	Rules []struct {
		Alert  string `yaml:"alert"`
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	} `yaml:"rules"`
}

// loadRuleGroups reads every group of deploy/prometheus/*.rules.yaml.
func loadRuleGroups(t *testing.T) []ruleGroup {
	t.Helper()
	var all []ruleGroup
	for _, f := range ruleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var file struct {
			Groups []ruleGroup `yaml:"groups"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		all = append(all, file.Groups...)
	}
	return all
}

// testedAlertNames returns the alertnames that the promtool unit tests exercise.
func testedAlertNames(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "prometheus", "tests", "*.yaml"))
	if err != nil {
		t.Fatalf("list tests: %v", err)
	}
	names := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var file struct {
			Tests []struct {
				AlertRuleTest []struct {
					Alertname string `yaml:"alertname"`
				} `yaml:"alert_rule_test"`
			} `yaml:"tests"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, tc := range file.Tests {
			for _, a := range tc.AlertRuleTest {
				names[a.Alertname] = true
			}
		}
	}
	return names
}
