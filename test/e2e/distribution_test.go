package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestDistributionMatchesManifest regenerates the distribution's main package
// from builder-config.yaml and fails when the checked-in cmd/otelcol-okta has
// drifted from it (run `make generate` to fix).
func TestDistributionMatchesManifest(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("bash", "scripts/generate-distribution.sh", out)
	cmd.Dir = repoRoot
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate-distribution.sh: %v\n%s", err, msg)
	}
	generated, err := filepath.Glob(filepath.Join(out, "*.go"))
	mustf(t, err, "list generated files")
	if len(generated) == 0 {
		t.Fatalf("ocb generated no Go files into %s", out)
	}
	for _, g := range generated {
		name := filepath.Base(g)
		want, err := os.ReadFile(g)
		mustf(t, err, "read generated %s", name)
		got, err := os.ReadFile(filepath.Join(repoRoot, "cmd", "otelcol-okta", name))
		if err != nil {
			t.Errorf("cmd/otelcol-okta/%s missing (run `make generate`): %v", name, err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("cmd/otelcol-okta/%s differs from what builder-config.yaml generates: run `make generate`", name)
		}
	}
	checkedIn, err := filepath.Glob(filepath.Join(repoRoot, "cmd", "otelcol-okta", "*.go"))
	mustf(t, err, "list checked-in files")
	checkedIn = slices.DeleteFunc(checkedIn, func(f string) bool { return handWritten[filepath.Base(f)] })
	if len(checkedIn) != len(generated) {
		t.Errorf("cmd/otelcol-okta has %d generated Go files, ocb generates %d: remove stale files or run `make generate`", len(checkedIn), len(generated))
	}
}

// handWritten are the files of cmd/otelcol-okta that ocb does not write: the version stamp
// (builder-config.yaml's dist.version calls buildVersion) and the feature-gate defaults.
var handWritten = map[string]bool{"version.go": true, "featuregates.go": true}
