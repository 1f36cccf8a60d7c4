package oktasim

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedPath returns the path of a file in the shared folder that lives
// beside the repository ("../shared/<rel>" from the repository root). When
// the file is absent the test fails under CI=true and is skipped otherwise.
func sharedPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		msg := "../shared/" + rel + " not found: this test needs the shared folder beside the repo"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}
