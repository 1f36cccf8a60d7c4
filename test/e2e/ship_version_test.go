package e2e

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// versionLine matches `otelcol-okta --version`: "otelcol-okta version <version> (commit <hash>)".
var versionLine = regexp.MustCompile(`^otelcol-okta version (\S+) \(commit ([0-9a-f]{40}|unknown)\)$`)

// binaryVersion runs bin --version and returns the stamped version and commit.
func binaryVersion(t *testing.T, bin string) (version, commit string) {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", bin, err, out)
	}
	m := versionLine.FindStringSubmatch(strings.TrimSpace(string(out)))
	if m == nil {
		t.Fatalf("%s --version printed %q, want %q", bin, strings.TrimSpace(string(out)), versionLine)
	}
	return m[1], m[2]
}

// git runs git in the repository and returns its trimmed output.
func git(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v (the version stamp comes from git: run the tests in a clone)", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// TestShipVersionIsStampedFromGit: the collector under test (`make build`) prints the version
// `git describe --tags --always --dirty` gives and the commit it was built from. The "-dirty"
// suffix is compared without: the tree may have been edited between the build and the test.
func TestShipVersionIsStampedFromGit(t *testing.T) {
	version, commit := binaryVersion(t, collectorBin)
	if commit == "unknown" || version == "0.1.0-dev" {
		t.Fatalf("%s is not stamped (version %q, commit %q): build it with `make build`, which sets "+
			"-X main.version and -X main.commit from git", collectorBin, version, commit)
	}
	if want := git(t, "rev-parse", "HEAD"); commit != want {
		t.Errorf("--version commit = %s, want HEAD %s", commit, want)
	}
	if want := git(t, "describe", "--tags", "--always"); strings.TrimSuffix(version, "-dirty") != want {
		t.Errorf("--version version = %s, want %s (git describe --tags --always [--dirty])", version, want)
	}
}
