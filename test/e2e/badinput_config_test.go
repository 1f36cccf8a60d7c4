package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/internal/configcorpus"
)

// corpusFile is the corpus of bad receiver configurations shared with the receiver's unit test.
func corpusFile() string {
	return filepath.Join(repoRoot, "receiver", "oktareceiver", "testdata", "badconfig", "corpus.yaml")
}

// collectorConfigFor wraps a receiver block into a whole collector configuration (JSON, which
// the YAML provider reads as is): the okta receiver into the debug exporter, no telemetry
// endpoint, so that cases can run side by side.
func collectorConfigFor(receiver map[string]any) ([]byte, error) {
	return json.MarshalIndent(map[string]any{
		"receivers": map[string]any{"okta": receiver},
		"exporters": map[string]any{"debug": map[string]any{}},
		"service": map[string]any{
			"telemetry": map[string]any{"metrics": map[string]any{"level": "none"}},
			"pipelines": map[string]any{"logs": map[string]any{"receivers": []string{"okta"}, "exporters": []string{"debug"}}},
		},
	}, "", "  ")
}

// corpusOutcome is what one run of the binary on a case did.
type corpusOutcome struct {
	failed bool
	output string
}

// runCorpusBinary runs the collector with args and reports whether it exited non-zero within
// limit; a collector still running at limit has started (and is stopped).
func runCorpusBinary(limit time.Duration, args ...string) corpusOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, collectorBin, args...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return corpusOutcome{failed: false, output: string(out) + "\n(still running after " + limit.String() + ": it started)"}
	}
	var exitErr *exec.ExitError
	return corpusOutcome{failed: errors.As(err, &exitErr) && exitErr.ExitCode() != 0, output: string(out)}
}

// TestBadInputConfigCorpus runs every case of the bad-configuration corpus through the real
// binary twice: `otelcol-okta validate --config` and a real start-up. Both must refuse the
// configuration, both outputs must name the case's key (and its extra text), neither may show
// the case's secret, and they must agree.
func TestBadInputConfigCorpus(t *testing.T) {
	corpus, err := configcorpus.Load(corpusFile())
	mustf(t, err, "load the corpus")
	if len(corpus.Cases) < 150 {
		t.Fatalf("the corpus holds %d cases, fewer than 150", len(corpus.Cases))
	}
	keys := filepath.Join(repoRoot, "receiver", "oktareceiver", "testdata", "keys")
	dir := t.TempDir()
	// Each run takes tens of milliseconds; a few at a time keeps the whole corpus short
	// without hogging the machine.
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	var mu sync.Mutex
	agreed := 0
	for _, tc := range corpus.Cases {
		raw, err := collectorConfigFor(corpus.Receiver(tc, keys))
		mustf(t, err, "render case %s", tc.Name)
		path := writeFile(t, dir, tc.Name+".yaml", string(raw))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			validate := runCorpusBinary(30*time.Second, "validate", "--config", path)
			start := runCorpusBinary(30*time.Second, "--config", path)
			problems := corpusProblems(tc, "validate", validate)
			problems = append(problems, corpusProblems(tc, "start-up", start)...)
			mu.Lock()
			defer mu.Unlock()
			for _, p := range problems {
				t.Errorf("case %s (key %s): %s", tc.Name, tc.Key, p)
			}
			if len(problems) == 0 {
				agreed++
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d bad configurations refused by both validate and start-up, each naming its key", agreed, len(corpus.Cases))
}

// corpusProblems lists what is wrong with one run of a case.
func corpusProblems(tc configcorpus.Case, what string, o corpusOutcome) []string {
	var out []string
	if !o.failed {
		return []string{what + " accepted the configuration:\n" + tail(o.output, 1500)}
	}
	if !strings.Contains(o.output, tc.Key) {
		out = append(out, what+" error does not name the key:\n"+tail(o.output, 1500))
	}
	if tc.Want != "" && !strings.Contains(o.output, tc.Want) {
		out = append(out, what+" error does not say "+tc.Want+":\n"+tail(o.output, 1500))
	}
	if tc.Forbid != "" && strings.Contains(o.output, tc.Forbid) {
		out = append(out, "LEAK: "+what+" output shows the case's secret")
	}
	return out
}
