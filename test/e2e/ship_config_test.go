package e2e

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"
)

// startShippedConfig runs the collector on a production config of config/ as it ships, with env
// and the listening addresses moved to free loopback ports through extra --config=yaml:
// overrides (key path -> YAML value), as a user would layer a local change on top.
func startShippedConfig(t *testing.T, name string, env []string, overrides map[string]string) *process {
	t.Helper()
	args := []string{"--config", filepath.Join(repoRoot, "config", name)}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--config", fmt.Sprintf("yaml:%s: %s", k, overrides[k]))
	}
	return startProcess(t, "otelcol-okta ("+name+")", collectorBin, env, args...)
}

// shippedEnv is the environment every production config reads, pointed at the simulator.
func shippedEnv(t *testing.T, sim *simulator, token string) []string {
	return []string{
		"OKTA_ORG_URL=" + sim.url,
		"OKTA_API_TOKEN=" + token,
		"OTELCOL_OKTA_STORAGE_DIR=" + t.TempDir(),
	}
}

// healthOverrides moves the readiness and liveness endpoints and the collector's own metrics
// endpoint to the given loopback ports.
func healthOverrides(ready, live, telemetry int) map[string]string {
	return map[string]string{
		"extensions::health_check::http::endpoint":      fmt.Sprintf("127.0.0.1:%d", ready),
		"extensions::health_check/live::http::endpoint": fmt.Sprintf("127.0.0.1:%d", live),
		"service::telemetry::metrics::readers":          fmt.Sprintf("[{pull: {exporter: {prometheus: {host: 127.0.0.1, port: %d}}}}]", telemetry),
	}
}
