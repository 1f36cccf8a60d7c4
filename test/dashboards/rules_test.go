package dashboards

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ruleFiles are the Prometheus rule files shipped in deploy/prometheus.
func ruleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "prometheus", "*.rules.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no deploy/prometheus/*.rules.yaml (err %v)", err)
	}
	return files
}

func TestPromtoolCheckRules(t *testing.T) {
	promtool := requireTool(t, "promtool")
	out, err := exec.Command(promtool, append([]string{"check", "rules"}, ruleFiles(t)...)...).CombinedOutput()
	t.Logf("promtool check rules:\n%s", out)
	if err != nil {
		t.Fatalf("promtool check rules: %v", err)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	promtool := requireTool(t, "promtool")
	tests, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "prometheus", "tests", "*.yaml"))
	if err != nil || len(tests) == 0 {
		t.Fatalf("no deploy/prometheus/tests/*.yaml (err %v)", err)
	}
	out, err := exec.Command(promtool, append([]string{"test", "rules"}, tests...)...).CombinedOutput()
	t.Logf("promtool test rules:\n%s", out)
	if err != nil {
		t.Fatalf("promtool test rules: %v", err)
	}
	if strings.Count(string(out), "SUCCESS") != len(tests) {
		t.Fatalf("promtool test rules: want SUCCESS for each of %d files", len(tests))
	}
}

// TestEveryAlertHasAUnitTest keeps the promtool tests in step with the rules: each alert must be
// the alertname of at least one alert_rule_test.
func TestEveryAlertHasAUnitTest(t *testing.T) {
	groups := loadRuleGroups(t)
	tested := testedAlertNames(t)
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Alert != "" && !tested[r.Alert] {
				t.Errorf("alert %s (group %s) has no promtool unit test in deploy/prometheus/tests", r.Alert, g.Name)
			}
		}
	}
}
