package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

var (
	collectorBin string
	simBin       string
	repoRoot     string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	collectorBin = os.Getenv("OTELCOL_OKTA_BIN")
	simBin = os.Getenv("OKTASIM_BIN")
	if collectorBin == "" || simBin == "" {
		dir, err := os.MkdirTemp("", "otelcol-okta-e2e-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		if collectorBin == "" {
			collectorBin = filepath.Join(dir, "otelcol-okta")
			if err := goBuild(collectorBin, "./cmd/otelcol-okta"); err != nil {
				fmt.Fprintln(os.Stderr, "e2e:", err)
				return 1
			}
		}
		if simBin == "" {
			simBin = filepath.Join(dir, "oktasim")
			if err := goBuild(simBin, "./cmd/oktasim"); err != nil {
				fmt.Fprintln(os.Stderr, "e2e:", err)
				return 1
			}
		}
	}
	return m.Run()
}

func goBuild(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}
