package dashboards

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// prometheusRuleHeader opens the generated deploy/kubernetes/monitoring/prometheusrule.yaml.
const prometheusRuleHeader = `# GENERATED from deploy/prometheus/*.rules.yaml: do not edit. After changing a rule file run
#   UPDATE_PROMETHEUSRULE=1 go test -run TestPrometheusRuleMatchesRuleFiles ./test/dashboards/
# The Prometheus Operator loads rules from PrometheusRule objects; add the label your Prometheus
# resource selects them by (e.g. release: <helm release>).
`

// prometheusRule renders the PrometheusRule holding every group of the rule files, in file order.
func prometheusRule(t *testing.T) []byte {
	t.Helper()
	var groups []any
	for _, f := range ruleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var file struct {
			Groups []yaml.Node `yaml:"groups"`
		}
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for i := range file.Groups {
			stripComments(&file.Groups[i])
			groups = append(groups, &file.Groups[i])
		}
	}
	obj := map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "PrometheusRule",
		"metadata": map[string]any{
			"name":   "otelcol-okta",
			"labels": map[string]any{"app.kubernetes.io/name": "otelcol-okta"},
		},
		"spec": map[string]any{"groups": groups},
	}
	var buf bytes.Buffer
	buf.WriteString(prometheusRuleHeader)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(obj); err != nil {
		t.Fatalf("encode the PrometheusRule: %v", err)
	}
	return buf.Bytes()
}

// stripComments removes the comments of a YAML tree: they explain the plain rule files and
// would be misplaced in the generated object.
func stripComments(n *yaml.Node) {
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripComments(c)
	}
}

// TestPrometheusRuleMatchesRuleFiles keeps the Prometheus Operator object equal to the plain rule
// files, which promtool checks and tests.
func TestPrometheusRuleMatchesRuleFiles(t *testing.T) {
	path := filepath.Join(repoRoot, "deploy", "kubernetes", "monitoring", "prometheusrule.yaml")
	want := prometheusRule(t)
	if os.Getenv("UPDATE_PROMETHEUSRULE") == "1" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from deploy/prometheus/*.rules.yaml: run UPDATE_PROMETHEUSRULE=1 go test -run TestPrometheusRuleMatchesRuleFiles ./test/dashboards/", path)
	}
	// The generated groups are the rule files' groups, rule for rule.
	var obj struct {
		Spec struct {
			Groups []ruleGroup `yaml:"groups"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(got, &obj); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	files := loadRuleGroups(t)
	if len(obj.Spec.Groups) != len(files) {
		t.Fatalf("PrometheusRule has %d groups, the rule files %d", len(obj.Spec.Groups), len(files))
	}
	for i, g := range files {
		pg := obj.Spec.Groups[i]
		if pg.Name != g.Name || len(pg.Rules) != len(g.Rules) {
			t.Errorf("group %d: PrometheusRule %s (%d rules), rule files %s (%d rules)", i, pg.Name, len(pg.Rules), g.Name, len(g.Rules))
			continue
		}
		for j, r := range g.Rules {
			if pg.Rules[j] != r {
				t.Errorf("group %s rule %d differs: %+v vs %+v", g.Name, j, pg.Rules[j], r)
			}
		}
	}
}
