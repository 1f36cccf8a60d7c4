package oktareceiver_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// receiverPath is the import path of this package; the internal packages live under it.
const receiverPath = "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"

// allowedImports lists, for each internal package of the receiver (by its path under
// internal/), the receiver's packages its non-test code may import. Imports point one way:
// the table of resource types at the bottom, the Okta client above it, the emit path, and the
// parts that use them; no internal package imports the receiver package itself. A new
// internal package needs an entry here, which makes its place in that order explicit.
var allowedImports = map[string][]string{
	"metadata": nil,
	"resource": nil,
	// dpop (proof-of-possession for the OAuth client) is plugged into oktaapi's auth.
	"dpop":    {"resource"},
	"oktaapi": {"resource", "dpop"},
	"emit":    {"metadata"},
	// statestore persists the inventory's state.
	"statestore": {"resource"},
	"inventory":  {"resource", "oktaapi", "emit", "metadata", "statestore"},
	"systemlog":  {"resource", "oktaapi", "emit", "metadata"},
	// systemlogtest is the reference decoder the systemlog tests compare with (tests only).
	"systemlog/systemlogtest": {"emit", "metadata"},
	// testkit holds the helpers both the package tests and simtest use; only simtest, a
	// test-only module, lists it (TestTestkitStaysInTests checks the receiver package).
	"testkit": {"metadata", "resource"},
	"simtest": {"resource", "oktaapi", "emit", "metadata", "inventory", "systemlog", "testkit"},
}

// TestInternalImportsPointOneWay parses the imports of every internal package and fails on an
// edge that allowedImports does not list.
func TestInternalImportsPointOneWay(t *testing.T) {
	found := 0
	err := filepath.WalkDir("internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "internal"+string(filepath.Separator))))
		allowed, known := allowedImports[pkg]
		if !assert.Truef(t, known, "internal/%s has no entry in allowedImports: add one with the packages it may import", pkg) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		found++
		for _, imp := range f.Imports {
			target, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			if target == receiverPath {
				t.Errorf("%s imports the receiver package: internal packages take plain parameters instead", path)
				continue
			}
			dep, ok := strings.CutPrefix(target, receiverPath+"/internal/")
			if !ok {
				continue
			}
			assert.Truef(t, slices.Contains(allowed, dep), "%s imports internal/%s, which internal/%s may not (allowed: %v)", path, dep, pkg, allowed)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Positive(t, found, "no internal package found: run from the receiver's directory")
}

// TestTestkitStaysInTests fails when the receiver package's non-test code imports the test
// helpers or the simulator-backed tests: a collector that imports the receiver must not build
// them. The internal packages are held to the same by allowedImports.
func TestTestkitStaysInTests(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	found := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		found++
		for _, imp := range f.Imports {
			target, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			for _, testOnly := range []string{"testkit", "simtest"} {
				assert.NotEqualf(t, receiverPath+"/internal/"+testOnly, target, "%s imports internal/%s, which only tests may use", path, testOnly)
			}
		}
	}
	assert.Positive(t, found, "no source file found: run from the receiver's directory")
}
