package dashboards

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension"
)

// manifest is a Kubernetes object, kept as a generic map.
type manifest = map[string]any

// loadManifests reads every YAML document of the files in dir.
func loadManifests(t *testing.T, dir string) map[string]manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "deploy", "kubernetes", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/kubernetes/%s (err %v)", dir, err)
	}
	out := map[string]manifest{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var m manifest
			if err := dec.Decode(&m); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("parse %s: %v", f, err)
			}
			kind, _ := m["kind"].(string)
			name, _ := dig(m, "metadata", "name").(string)
			out[kind+"/"+name] = m
		}
	}
	return out
}

// dig walks nested maps and lists (string keys, int indexes).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestKubernetesBaseRunsOneCollectorPerOrg(t *testing.T) {
	objs := loadManifests(t, "base")
	sts := objs["StatefulSet/otelcol-okta-acme"]
	if sts == nil {
		t.Fatal("no StatefulSet otelcol-okta-acme")
	}
	if r := dig(sts, "spec", "replicas"); r != 1 {
		t.Errorf("StatefulSet replicas = %v: one collector per org (HA goes through the lease overlay)", r)
	}
	container := dig(sts, "spec", "template", "spec", "containers", 0)
	env := map[string]string{}
	for _, e := range dig(container, "env").([]any) {
		name, _ := dig(e, "name").(string)
		value, _ := dig(e, "value").(string)
		env[name] = value
	}
	mounts := map[string]string{}
	for _, m := range dig(container, "volumeMounts").([]any) {
		mounts[dig(m, "name").(string)] = dig(m, "mountPath").(string)
	}
	if dig(sts, "spec", "volumeClaimTemplates", 0, "metadata", "name") != "data" {
		t.Error("volumeClaimTemplates: want a claim named data for file_storage")
	}
	if mounts["data"] == "" || mounts["data"] != env["OTELCOL_OKTA_STORAGE_DIR"] {
		t.Errorf("the data volume (%q) must be the storage directory OTELCOL_OKTA_STORAGE_DIR (%q)", mounts["data"], env["OTELCOL_OKTA_STORAGE_DIR"])
	}
	ports := map[string]int{}
	for _, p := range dig(container, "ports").([]any) {
		ports[dig(p, "name").(string)] = dig(p, "containerPort").(int)
	}
	if ports["okta-metrics"] != 9464 {
		t.Errorf("container ports: want okta-metrics 9464, got %v", ports)
	}
	cmName := dig(sts, "spec", "template", "spec", "volumes", 0, "configMap", "name").(string)
	cm := objs["ConfigMap/"+cmName]
	if cm == nil {
		t.Fatalf("ConfigMap %s is missing", cmName)
	}
	config := dig(cm, "data", "config.yaml").(string)
	for _, want := range []string{"endpoint: 0.0.0.0:9464", "storage: file_storage"} {
		if !strings.Contains(config, want) {
			t.Errorf("ConfigMap config.yaml lacks %q", want)
		}
	}
	// Readiness on the component-status endpoint of health_check, liveness and startup on
	// health_check/live: a rejected token makes the pod not ready, never restarts it.
	var parsed map[string]any
	if err := yaml.Unmarshal([]byte(config), &parsed); err != nil {
		t.Fatalf("parse the ConfigMap's config.yaml: %v", err)
	}
	for probe, ext := range map[string]string{"readinessProbe": "health_check", "livenessProbe": "health_check/live", "startupProbe": "health_check/live"} {
		endpoint, _ := dig(parsed, "extensions", ext, "http", "endpoint").(string)
		path, _ := dig(parsed, "extensions", ext, "http", "status", "path").(string)
		portName, _ := dig(container, probe, "httpGet", "port").(string)
		probePath, _ := dig(container, probe, "httpGet", "path").(string)
		if endpoint == "" || !strings.HasSuffix(endpoint, fmt.Sprintf(":%d", ports[portName])) || probePath != path {
			t.Errorf("%s: port %s (%d) path %q, want extensions.%s (endpoint %q, path %q)", probe, portName, ports[portName], probePath, ext, endpoint, path)
		}
	}
	if dig(parsed, "extensions", "health_check", "component_health", "include_permanent_errors") != true {
		t.Error("extensions.health_check.component_health.include_permanent_errors must be true: readiness follows component status")
	}
	if dig(parsed, "extensions", "health_check/live", "component_health") != nil {
		t.Error("extensions.health_check/live must not include component health: liveness must not fail on a rejected token")
	}

	// The Secret is not applied by default (a placeholder token would be); the example holds
	// every key the StatefulSet reads, and the image comes through kustomize images:.
	secretName := dig(container, "envFrom", 0, "secretRef", "name").(string)
	if slices.ContainsFunc(kustomizeResources(t), func(r string) bool { return strings.Contains(r, "secret") }) {
		t.Errorf("kustomization.yaml applies a Secret: a placeholder token must not be applied by default")
	}
	example := objs["Secret/"+secretName]
	if example == nil || dig(example, "stringData", "OKTA_API_TOKEN") == nil || dig(example, "stringData", "OTLP_LOGS_ENDPOINT") == nil {
		t.Errorf("secret.example.yaml must describe Secret %s with OKTA_API_TOKEN and OTLP_LOGS_ENDPOINT", secretName)
	}
	image, _ := dig(container, "image").(string)
	var kimages []struct {
		Name    string `yaml:"name"`
		NewName string `yaml:"newName"`
		NewTag  string `yaml:"newTag"`
	}
	kustomization(t, "images", &kimages)
	if len(kimages) != 1 || kimages[0].Name != image || kimages[0].NewTag == "" {
		t.Errorf("kustomization.yaml images: %+v must set the tag of the StatefulSet's image %q", kimages, image)
	}
	svc := objs["Service/otelcol-okta-acme"]
	podLabels := dig(sts, "spec", "template", "metadata", "labels").(map[string]any)
	for k, v := range dig(svc, "spec", "selector").(map[string]any) {
		if podLabels[k] != v {
			t.Errorf("Service selector %s=%v does not select the pods (%v)", k, v, podLabels[k])
		}
	}

	// The embedded configuration is config/prometheus-otlp.yaml, and a valid collector configuration.
	shipped, err := os.ReadFile(filepath.Join(repoRoot, "config", "prometheus-otlp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if body := string(shipped)[strings.Index(string(shipped), "extensions:"):]; body != config {
		t.Error("ConfigMap config.yaml differs from config/prometheus-otlp.yaml (from extensions: on): update one from the other")
	}
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := validate(t, collectorBinary(t), file, append(commonEnv(t), "OTLP_LOGS_ENDPOINT=otlp-gateway:4317"))
	if err != nil {
		t.Fatalf("otelcol-okta validate of the ConfigMap's config.yaml: %v\n%s", err, out)
	}
}

// kustomization reads one key of deploy/kubernetes/base/kustomization.yaml into out.
func kustomization(t *testing.T, key string, out any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "kubernetes", "base", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k map[string]yaml.Node
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatalf("parse kustomization.yaml: %v", err)
	}
	node := k[key]
	if err := node.Decode(out); err != nil {
		t.Fatalf("kustomization.yaml %s: %v", key, err)
	}
}

// kustomizeResources lists the resources of the base kustomization.
func kustomizeResources(t *testing.T) []string {
	t.Helper()
	var r []string
	kustomization(t, "resources", &r)
	return r
}

// TestKubernetesHAConfiguresTheLeaderElector checks the HA overlay's extension block against the
// extension's own configuration and validation.
func TestKubernetesHAConfiguresTheLeaderElector(t *testing.T) {
	objs := loadManifests(t, "ha")
	sts := objs["StatefulSet/otelcol-okta-acme"]
	if r := dig(sts, "spec", "replicas"); r != 2 {
		t.Errorf("HA StatefulSet replicas = %v, want 2 (leader + standby)", r)
	}
	if objs["Role/otelcol-okta-leases"] == nil || objs["RoleBinding/otelcol-okta-leases"] == nil {
		t.Error("the HA overlay needs the Role and RoleBinding for leases")
	}
	config := dig(objs["ConfigMap/otelcol-okta-acme"], "data", "config.yaml").(string)
	var parsed map[string]any
	if err := yaml.Unmarshal([]byte(config), &parsed); err != nil {
		t.Fatalf("parse the HA config: %v", err)
	}
	// Apart from the leader elector, the HA configuration is the base one (they drift otherwise).
	base := map[string]any{}
	baseConfig := dig(loadManifests(t, "base")["ConfigMap/otelcol-okta-acme"], "data", "config.yaml").(string)
	if err := yaml.Unmarshal([]byte(baseConfig), &base); err != nil {
		t.Fatalf("parse the base config: %v", err)
	}
	withoutElector := map[string]any{}
	if err := yaml.Unmarshal([]byte(config), &withoutElector); err != nil {
		t.Fatal(err)
	}
	delete(dig(withoutElector, "extensions").(map[string]any), "okta_leader_elector")
	delete(dig(withoutElector, "receivers", "okta").(map[string]any), "leader_elector")
	svc := dig(withoutElector, "service").(map[string]any)
	svc["extensions"] = slices.DeleteFunc(svc["extensions"].([]any), func(e any) bool { return e == "okta_leader_elector" })
	if a, b := fmt.Sprint(withoutElector), fmt.Sprint(base); a != b {
		t.Errorf("the HA ConfigMap differs from the base ConfigMap beyond the leader elector:\n HA   %s\n base %s", a, b)
	}
	block, ok := dig(parsed, "extensions", "okta_leader_elector").(map[string]any)
	if !ok {
		t.Fatal("extensions.okta_leader_elector is missing")
	}
	if dig(parsed, "receivers", "okta", "leader_elector") != "okta_leader_elector" {
		t.Error("receivers.okta.leader_elector must name the extension")
	}
	factory := leaderelectorextension.NewFactory()
	cfg := factory.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(block).Unmarshal(cfg); err != nil {
		t.Fatalf("unmarshal extensions.okta_leader_elector: %v", err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatalf("extensions.okta_leader_elector: %v", err)
	}
	// The whole HA configuration is a valid collector configuration: the receiver
	// accepts leader_elector and the distribution has the extension.
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := validate(t, collectorBinary(t), file, append(commonEnv(t), "OTLP_LOGS_ENDPOINT=otlp-gateway:4317"))
	if err != nil {
		t.Fatalf("otelcol-okta validate of the HA ConfigMap: %v\n%s", err, out)
	}
}

// TestKubernetesMonitoringScrapesBothPorts: the ServiceMonitor selects the collector's Service and
// scrapes both of its metrics ports; without the operator, annotations give each port to a job.
func TestKubernetesMonitoringScrapesBothPorts(t *testing.T) {
	base := loadManifests(t, "base")
	svc := base["Service/otelcol-okta-acme"]
	svcLabels := dig(svc, "metadata", "labels").(map[string]any)
	svcPorts := map[string]int{}
	for _, p := range dig(svc, "spec", "ports").([]any) {
		svcPorts[dig(p, "name").(string)] = dig(p, "port").(int)
	}
	mon := loadManifests(t, "monitoring")
	sm := mon["ServiceMonitor/otelcol-okta"]
	if sm == nil {
		t.Fatal("deploy/kubernetes/monitoring has no ServiceMonitor otelcol-okta")
	}
	for k, v := range dig(sm, "spec", "selector", "matchLabels").(map[string]any) {
		if svcLabels[k] != v {
			t.Errorf("ServiceMonitor selector %s=%v does not select the Service (labels %v)", k, v, svcLabels)
		}
	}
	scraped := map[int]bool{}
	for _, e := range dig(sm, "spec", "endpoints").([]any) {
		port, _ := dig(e, "port").(string)
		if _, ok := svcPorts[port]; !ok {
			t.Errorf("ServiceMonitor endpoint port %q is not a port of the Service (%v)", port, svcPorts)
		}
		scraped[svcPorts[port]] = true
	}
	if !scraped[9464] || !scraped[8888] {
		t.Errorf("the ServiceMonitor must scrape :9464 (okta_* metrics) and :8888 (collector telemetry), scrapes %v", scraped)
	}
	if mon["PrometheusRule/otelcol-okta"] == nil {
		t.Error("deploy/kubernetes/monitoring has no PrometheusRule otelcol-okta")
	}
	// Annotation-based scraping: one port per object.
	if p := dig(svc, "metadata", "annotations", "prometheus.io/port"); p != "9464" {
		t.Errorf("Service annotation prometheus.io/port = %v, want 9464", p)
	}
	pod := dig(base["StatefulSet/otelcol-okta-acme"], "spec", "template", "metadata", "annotations")
	if p := dig(pod, "prometheus.io/port"); p != "8888" {
		t.Errorf("pod annotation prometheus.io/port = %v, want 8888", p)
	}
}
