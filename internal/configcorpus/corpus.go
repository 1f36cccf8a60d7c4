// Package configcorpus loads the corpus of bad okta receiver configurations
// (receiver/oktareceiver/testdata/badconfig/corpus.yaml), shared by the receiver's unit test
// and the end-to-end test that runs the same cases through the real binary.
package configcorpus

import (
	"fmt"
	"maps"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Case is one bad receiver configuration and what its error must say.
type Case struct {
	// Name identifies the case (a subtest name).
	Name string `yaml:"name"`
	// Key is the configuration key the error must name (dotted path).
	Key string `yaml:"key"`
	// Want is more text the error must contain ("" for none).
	Want string `yaml:"want"`
	// Forbid is text the error must never contain: a password or secret of the case.
	Forbid string `yaml:"forbid"`
	// Base reports whether Config is merged over the corpus base (default true).
	Base *bool `yaml:"base"`
	// Config is the receiver block (or its difference from the base).
	Config map[string]any `yaml:"config"`
}

// Corpus is the whole file.
type Corpus struct {
	Base  map[string]any `yaml:"base"`
	Cases []Case         `yaml:"cases"`
}

// Load reads the corpus at path and checks that every case has a unique name and a key.
func Load(path string) (*Corpus, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // G304: the tests pass the path of their own testdata file
	if err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	var c Corpus
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("parse corpus %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, tc := range c.Cases {
		switch {
		case tc.Name == "" || tc.Key == "":
			return nil, fmt.Errorf("corpus case %d: name and key are required", i)
		case seen[tc.Name]:
			return nil, fmt.Errorf("corpus case %q appears twice", tc.Name)
		}
		seen[tc.Name] = true
	}
	return &c, nil
}

// Receiver returns the receiver block of tc: its config over the base (top-level keys of the
// case replace the base's), with {{KEYS}} replaced by keysDir in every string.
func (c *Corpus) Receiver(tc Case, keysDir string) map[string]any {
	out := map[string]any{}
	if tc.Base == nil || *tc.Base {
		maps.Copy(out, c.Base)
	}
	maps.Copy(out, tc.Config)
	return substitute(out, keysDir).(map[string]any)
}

func substitute(v any, keysDir string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "{{KEYS}}", keysDir)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = substitute(e, keysDir)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substitute(e, keysDir)
		}
		return out
	default:
		return v
	}
}
