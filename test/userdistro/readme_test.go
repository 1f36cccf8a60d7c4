package userdistro

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestReadmeManifestLinesAreTheTestedOnes: the ocb lines the README's "Add it to your collector"
// section gives users name the modules, imports and replaces of the manifest this package builds.
func TestReadmeManifestLinesAreTheTestedOnes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Add it to your collector\n")
	if !ok {
		t.Fatal(`README.md has no "## Add it to your collector" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")

	gomod := regexp.MustCompile(`gomod: (github\.com/otelcol-okta/\S+) v\d+\.\d+\.\d+`)
	imp := regexp.MustCompile(`import: (\S+)`)
	repl := regexp.MustCompile(`- (github\.com/otelcol-okta/\S+) =>`)
	collect := func(re *regexp.Regexp, text string) []string {
		var out []string
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return out
	}
	// Every component is a module of its own, so neither the README nor the tested manifest needs
	// an `import:` line; the two must still agree on them.
	for _, c := range []struct {
		what     string
		re       *regexp.Regexp
		optional bool
	}{{"gomod modules", gomod, false}, {"imports", imp, true}, {"replaced modules", repl, false}} {
		readme, tested := collect(c.re, section), collect(c.re, userManifest)
		if len(readme) == 0 && !c.optional {
			t.Errorf("README: no %s in the section", c.what)
		}
		if strings.Join(readme, " ") != strings.Join(tested, " ") {
			t.Errorf("README %s %v, the tested manifest's %v", c.what, readme, tested)
		}
	}
}
