package dashboards

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	repoRoot string
	buildDir string

	binariesMu sync.Mutex
	binaries   = map[string]string{}
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// collectorBinary returns the otelcol-okta binary: $OTELCOL_OKTA_BIN, or one built from ./cmd/otelcol-okta.
func collectorBinary(t *testing.T) string {
	return binary(t, "OTELCOL_OKTA_BIN", "otelcol-okta", "./cmd/otelcol-okta")
}

// simulatorBinary returns the oktasim binary: $OKTASIM_BIN, or one built from ./cmd/oktasim.
func simulatorBinary(t *testing.T) string {
	return binary(t, "OKTASIM_BIN", "oktasim", "./cmd/oktasim")
}

// binary returns the path in env, or builds pkg once per test process (a cold build of the
// collector takes minutes: set the variables, as `make test` does, to skip it).
func binary(t *testing.T, env, name, pkg string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", env, p, err)
		}
		return p
	}
	binariesMu.Lock()
	defer binariesMu.Unlock()
	if p, ok := binaries[name]; ok {
		return p
	}
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "otelcol-okta-dashboards-bin")
		if err != nil {
			t.Fatalf("temp dir for binaries: %v", err)
		}
		buildDir = dir
	}
	out := filepath.Join(buildDir, name)
	t.Logf("%s is not set: building %s (set it to skip this)", env, pkg)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	binaries[name] = out
	return out
}

// requireTool returns the path of an outside tool; without it the test fails on CI and skips elsewhere.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("%s not found on PATH: install the Debian package prometheus (.ci/run does)", name)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
