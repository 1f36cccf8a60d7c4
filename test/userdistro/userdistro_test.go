package userdistro

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/otelcol-okta/otelcol-okta/internal/testport"
)

const simToken = "userdistro-test-token"

var (
	repoRoot string
	simBin   string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	simBin = os.Getenv("OKTASIM_BIN")
	if simBin == "" {
		dir, err := os.MkdirTemp("", "otelcol-okta-userdistro")
		if err != nil {
			fmt.Fprintln(os.Stderr, "userdistro: temp dir:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		simBin = filepath.Join(dir, "oktasim")
		cmd := exec.Command("go", "build", "-o", simBin, "./cmd/oktasim")
		cmd.Dir = repoRoot
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "userdistro: go build ./cmd/oktasim:", err)
			return 1
		}
	}
	return m.Run()
}

// TestUserBuildWithOurComponents builds a team's own collector with ocb from a manifest that adds
// our three components (from this clone) to a contrib subset, checks that the build lists them
// with their modules, validates a configuration (and rejects a wrong key), then runs the build
// against the simulator until okta records reach its exporters: OTLP/HTTP (a sink in this test),
// OTLP/gRPC into its own otlp receiver and the debug exporter, and okta metrics on the
// prometheus exporter.
func TestUserBuildWithOurComponents(t *testing.T) {
	bin := buildUserDistribution(t)

	t.Run("components", func(t *testing.T) {
		out := run(t, bin, "components")
		for _, want := range []string{
			"module: github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver v0.0.0",
			"module: github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor v0.0.0",
			"module: github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension v0.0.0",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("`%s components` lacks %q:\n%s", filepath.Base(bin), want, out)
			}
		}
		for _, name := range []string{"name: okta", "name: rules", "name: okta_leader_elector", "name: otlp_grpc", "name: file_storage"} {
			if !strings.Contains(out, name) {
				t.Errorf("`%s components` lacks %q", filepath.Base(bin), name)
			}
		}
	})

	// A team that adds our components gets them and their collector dependencies, not our
	// repository's root module (distribution, simulator, tests) nor what only it needs.
	t.Run("modules", func(t *testing.T) {
		mods := runEnv(t, []string{"GOTOOLCHAIN=" + rootToolchain(t), "GOFLAGS=-mod=mod"}, "go", "-C", filepath.Dir(bin), "list", "-m", "all")
		for _, unwanted := range []string{"github.com/otelcol-okta/otelcol-okta ", "github.com/getkin/kin-openapi ", "github.com/okta/okta-sdk-golang/v2 "} {
			if strings.Contains(mods+"\n", unwanted) {
				t.Errorf("the user build's module graph contains %q:\n%s", strings.TrimSpace(unwanted), mods)
			}
		}
		if !strings.Contains(mods, "github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver v0.0.0") {
			t.Errorf("the user build's module graph lacks the receiver module:\n%s", mods)
		}
		var ours []string
		lines := strings.Split(strings.TrimSpace(mods), "\n")
		for _, line := range lines {
			if strings.HasPrefix(line, "github.com/otelcol-okta/") {
				ours = append(ours, strings.Fields(line)[0])
			}
		}
		t.Logf("the user build's module graph: %d modules, ours: %s", len(lines)-1, strings.Join(ours, ", "))
	})

	dir := t.TempDir()
	sim := startSimulator(t)
	sink := newLogSink()
	srv := httptest.NewServer(sink)
	t.Cleanup(srv.Close)
	promAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	values := map[string]string{
		"DIR":  dir,
		"OKTA": sim,
		"SINK": srv.URL,
		"OTLP": "127.0.0.1:" + strconv.Itoa(freePort(t)),
		"PROM": promAddr,
	}
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, fill(userConfig, values))
	env := []string{"OKTA_API_TOKEN=" + simToken}

	t.Run("validate", func(t *testing.T) {
		runEnv(t, env, bin, "validate", "--config", cfg)

		bad := filepath.Join(dir, "bad.yaml")
		writeFile(t, bad, strings.Replace(fill(userConfig, values), "    storage: file_storage\n", "    storage: file_storage\n    pol_interval: 2s\n", 1))
		cmd := exec.Command(bin, "validate", "--config", bad)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("validate accepted a config with the unknown okta key pol_interval:\n%s", out)
		}
		if !strings.Contains(string(out), "pol_interval") {
			t.Errorf("validate's error does not name the unknown key pol_interval:\n%s", out)
		}
	})

	t.Run("run against the simulator", func(t *testing.T) {
		col := startProcess(t, filepath.Base(bin), bin, env, "--config", cfg)
		// A full inventory sync of the simulator's default org and the rules on it take seconds;
		// the bound covers a loaded CI machine.
		ok := waitFor(t, col, 3*time.Minute, func() bool {
			snapshots, findings := sink.counts()
			return snapshots > 0 && findings > 0 &&
				strings.Contains(col.out.String(), `"otelcol.component.id": "debug"`) &&
				strings.Contains(scrape(promAddr), "\nokta_")
		})
		snapshots, findings := sink.counts()
		if !ok {
			t.Fatalf("within 3m: %d inventory snapshots and %d findings at the OTLP/HTTP sink (want both > 0), debug exporter output %v, okta metrics on the prometheus exporter %v",
				snapshots, findings, strings.Contains(col.out.String(), `"otelcol.component.id": "debug"`), strings.Contains(scrape(promAddr), "\nokta_"))
		}
		t.Logf("OTLP/HTTP sink: %d inventory snapshot records, %d findings", snapshots, findings)
	})
}

// buildUserDistribution writes the user manifest for this clone and runs ocb (`go tool builder`,
// pinned in the root go.mod) into a temporary folder: ocb generates the sources and a go.mod,
// resolves the modules and compiles. It returns the binary.
//
// The go commands that ocb runs use the toolchain of the root go.mod (GOTOOLCHAIN) and a static
// build (CGO_ENABLED=0), as `make build` does, so that they share its build cache.
func buildUserDistribution(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	manifest := filepath.Join(t.TempDir(), "manifest.yaml")
	writeFile(t, manifest, fill(userManifest, map[string]string{"OUT": out, "REPO": filepath.ToSlash(repoRoot)}))

	toolchain := rootToolchain(t)
	cmd := exec.Command("go", "tool", "builder", "--config", manifest)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+toolchain, "CGO_ENABLED=0")
	start := time.Now()
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ocb (go tool builder --config %s): %v\n%s", manifest, err, log)
	}
	t.Logf("ocb generated, resolved and compiled the user build in %s", time.Since(start).Round(time.Second))
	bin := filepath.Join(out, "otelcol-acme")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("ocb succeeded but wrote no binary: %v\n%s", err, log)
	}
	return bin
}

// rootToolchain returns the Go toolchain the root go.mod selects (`go env GOVERSION`), which the
// go commands run on the user build use so that they share the build cache of `make build`.
func rootToolchain(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(run(t, "go", "-C", repoRoot, "env", "GOVERSION"))
}

// logSink is an OTLP/HTTP logs endpoint that counts the okta receiver's inventory snapshots and
// the rules processor's findings it receives.
type logSink struct {
	mu                  sync.Mutex
	snapshots, findings int
}

func newLogSink() *logSink { return &logSink{} }

func (s *logSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/logs" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		http.Error(w, "not an OTLP logs request: "+err.Error(), http.StatusBadRequest)
		return
	}
	var snapshots, findings int
	for _, rl := range req.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				switch lr.EventName() {
				case "okta.inventory.snapshot":
					snapshots++
				case "okta.compliance.finding":
					findings++
				}
			}
		}
	}
	s.mu.Lock()
	s.snapshots += snapshots
	s.findings += findings
	s.mu.Unlock()
	resp, err := plogotlp.NewExportResponse().MarshalProto()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

func (s *logSink) counts() (snapshots, findings int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshots, s.findings
}

// startSimulator runs oktasim on a free loopback port and returns its URL once it answers.
func startSimulator(t *testing.T) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	url := "http://" + addr
	p := startProcess(t, "oktasim", simBin, nil, "--addr", addr, "--token", simToken)
	if !waitFor(t, p, 30*time.Second, func() bool { return get(url+"/.well-known/okta-organization") == http.StatusOK }) {
		t.Fatalf("oktasim did not answer at %s within 30s", url)
	}
	return url
}

// scrape returns the prometheus exporter's page, or "" when it does not answer (yet).
func scrape(addr string) string {
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

func get(url string) int {
	resp, err := (&http.Client{Timeout: time.Second}).Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// process is a started binary whose combined output is kept for failure messages.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
	err  error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProcess starts bin and stops it (SIGTERM, SIGKILL after 10s) when the test ends, showing
// the end of its output when the test failed.
func startProcess(t *testing.T, name, bin string, env []string, args ...string) *process {
	t.Helper()
	p := &process{name: name, out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			out := p.out.String()
			if len(out) > 4000 {
				out = out[len(out)-4000:]
			}
			t.Logf("---- %s output (last 4000 bytes) ----\n%s", name, out)
		}
	})
	return p
}

// waitFor polls cond every 200ms until it holds, p exits (a test failure) or timeout passes.
func waitFor(t *testing.T, p *process, timeout time.Duration, cond func() bool) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if cond() {
			return true
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited: %v", p.name, p.err)
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	return runEnv(t, nil, name, args...)
}

func runEnv(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func freePort(t *testing.T) int {
	t.Helper()
	port, err := testport.Free()
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	return port
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}
