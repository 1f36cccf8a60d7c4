package testkit

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedFile returns the path of rel inside the shared folder that sits beside the repository
// ("../shared/<rel>" from the repository root). When it is absent the test fails under CI=true
// and is skipped otherwise, with a message that says what is missing.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the testkit source file")
	}
	// This file is <repo>/receiver/oktareceiver/internal/testkit/shared.go.
	repoRoot := filepath.Join(filepath.Dir(self), "..", "..", "..", "..")
	p := filepath.Join(repoRoot, "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		msg := "../shared/" + rel + " not found: this test needs the shared folder beside the repo"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}
