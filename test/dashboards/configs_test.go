package dashboards

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// productionConfigs lists the production example configs and the environment each one needs
// (dummy values: validate checks the configuration, it does not connect anywhere).
var productionConfigs = map[string][]string{
	"prometheus-otlp.yaml": {"OTLP_LOGS_ENDPOINT=otlp-gateway.example.com:4317"},
	"prometheus-remote-write.yaml": {
		"OTLP_LOGS_ENDPOINT=otlp-gateway.example.com:4317",
		"PROM_REMOTE_WRITE_URL=https://mimir.example.com/api/v1/push",
	},
	"grafana-cloud.yaml": {
		"GRAFANA_CLOUD_OTLP_ENDPOINT=https://otlp-gateway-prod-eu-west-2.grafana.net/otlp",
		"GRAFANA_CLOUD_BASIC_AUTH=MTIzNDU2OmdsY19kdW1teQ==",
	},
	"datadog-otlp.yaml": {"DD_OTLP_ENDPOINT=http://datadog-agent:4318"},
	"elastic-otlp.yaml": {
		"ELASTIC_OTLP_ENDPOINT=https://example.ingest.eu-west-1.aws.elastic.cloud:443",
		"ELASTIC_API_KEY=ZHVtbXk6a2V5",
	},
	"splunk-hec.yaml": {"SPLUNK_OTLP_GATEWAY=splunk-otel-gateway:4317"},
	"loki-otlp.yaml":  {"LOKI_OTLP_ENDPOINT=http://loki-gateway:3100/otlp"},
}

// commonEnv is what every production config needs.
func commonEnv(t *testing.T) []string {
	return []string{
		"OKTA_ORG_URL=https://acme.okta.com",
		"OKTA_API_TOKEN=00dummy-token-for-validation",
		"OTELCOL_OKTA_STORAGE_DIR=" + t.TempDir(),
	}
}

// validate runs `otelcol-okta validate --config file` with env and returns its output.
func validate(t *testing.T, bin, file string, env []string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, "validate", "--config", file)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestEveryProductionConfigIsListed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot, "config", "*.yaml"))
	if err != nil {
		t.Fatalf("list config/: %v", err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if name == "demo.yaml" {
			continue // the demo runs on the simulator; test/e2e covers it
		}
		if _, ok := productionConfigs[name]; !ok {
			t.Errorf("config/%s is not in productionConfigs: add it with the environment it needs", name)
		}
	}
}

func TestProductionConfigsValidate(t *testing.T) {
	bin := collectorBinary(t)
	for name, env := range productionConfigs {
		t.Run(name, func(t *testing.T) {
			out, err := validate(t, bin, filepath.Join(repoRoot, "config", name), append(commonEnv(t), env...))
			if err != nil {
				t.Fatalf("otelcol-okta validate --config config/%s: %v\n%s", name, err, out)
			}
		})
	}
}

// TestValidateRejectsMissingOrg shows that the validation above can fail: without OKTA_ORG_URL the
// receiver has no endpoint.
func TestValidateRejectsMissingOrg(t *testing.T) {
	bin := collectorBinary(t)
	env := slices.DeleteFunc(commonEnv(t), func(kv string) bool { return strings.HasPrefix(kv, "OKTA_ORG_URL=") })
	env = append(env, productionConfigs["prometheus-otlp.yaml"]...)
	cmd := exec.Command(bin, "validate", "--config", filepath.Join(repoRoot, "config", "prometheus-otlp.yaml"))
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "OKTA_ORG_URL=") }), env...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("validate accepted a config without OKTA_ORG_URL:\n%s", out)
	}
	if !strings.Contains(string(out), "endpoint") {
		t.Errorf("the error should name the endpoint key:\n%s", out)
	}
}

// collectorConfig is the part of a collector config the durability checks read.
type collectorConfig struct {
	Extensions map[string]map[string]any `yaml:"extensions"`
	Receivers  map[string]map[string]any `yaml:"receivers"`
	Processors map[string]any            `yaml:"processors"`
	Exporters  map[string]map[string]any `yaml:"exporters"`
	Service    struct {
		Extensions []string `yaml:"extensions"`
		Pipelines  map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

// TestProductionConfigsAreDurable checks the rules every production config follows: no batch processor,
// a persistent sending_queue with exporter-side batching on every push exporter, memory_limiter
// first, the receiver's checkpoints in storage, and health_check on.
func TestProductionConfigsAreDurable(t *testing.T) {
	for name := range productionConfigs {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(repoRoot, "config", name))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var cfg collectorConfig
			if err := yaml.Unmarshal(data, &cfg); err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !slices.Contains(cfg.Service.Extensions, "health_check") {
				t.Error("service.extensions: health_check is not enabled")
			}
			storage, _ := cfg.Receivers["okta"]["storage"].(string)
			if _, ok := cfg.Extensions[storage]; storage == "" || !ok || !strings.HasPrefix(storage, "file_storage") {
				t.Errorf("receivers.okta.storage: want a file_storage extension, got %q", storage)
			}
			for p := range cfg.Processors {
				if p == "batch" || strings.HasPrefix(p, "batch/") {
					t.Errorf("processors.%s: the batch processor acknowledges from memory; batch in the exporter", p)
				}
			}
			for pname, p := range cfg.Service.Pipelines {
				if len(p.Processors) == 0 || p.Processors[0] != "memory_limiter" {
					t.Errorf("service.pipelines.%s: memory_limiter must be the first processor, got %v", pname, p.Processors)
				}
			}
			for ename, e := range cfg.Exporters {
				if ename == "prometheus" || strings.HasPrefix(ename, "prometheus/") {
					continue // pull exporter: nothing to queue
				}
				if strings.HasPrefix(ename, "prometheus_remote_write") || strings.HasPrefix(ename, "prometheusremotewrite") {
					// This exporter has no persistent sending_queue (and its write-ahead log
					// delays and re-sends samples): metrics only, recomputed every interval,
					// while the records go through a persistent queue. It must retry.
					if retry, _ := e["retry_on_failure"].(map[string]any); retry["enabled"] != true {
						t.Errorf("exporters.%s.retry_on_failure must be enabled", ename)
					}
					if _, ok := e["wal"]; ok {
						t.Errorf("exporters.%s.wal: the remote-write WAL delays sending and re-sends samples out of order", ename)
					}
					continue
				}
				queue, _ := e["sending_queue"].(map[string]any)
				if queue == nil {
					t.Errorf("exporters.%s: no sending_queue", ename)
					continue
				}
				if s, _ := queue["storage"].(string); !strings.HasPrefix(s, "file_storage") {
					t.Errorf("exporters.%s.sending_queue.storage: want a file_storage extension, got %q", ename, s)
				}
				if _, ok := queue["batch"]; !ok {
					t.Errorf("exporters.%s.sending_queue.batch: exporter-side batching is missing", ename)
				}
			}
		})
	}
}
