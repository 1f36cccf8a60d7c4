package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--help exit code %d", code)
	}
	help := stderr.String()
	if !strings.Contains(help, "simulated Okta org") {
		t.Errorf("help lacks the description:\n%s", help)
	}
	opts := oktasim.DefaultOptions()
	var cfg config
	fs := newFlagSet(&opts, &cfg, io.Discard)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		if strings.TrimSpace(f.Usage) == "" {
			t.Errorf("flag --%s has no help text", f.Name)
		}
		if !regexp.MustCompile(`(?m)^  -` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(help) {
			t.Errorf("help does not list --%s", f.Name)
		}
	})
	for _, name := range []string{"addr", "control", "token", "dump-groundtruth", "tls-cert", "tls-key", "admin", "dpop", "dpop-resource-nonce", "dpop-nonce-lifetime",
		"oauth-client-id", "oauth-public-key", "rate-limits", "rate-limit-window", "concurrency-limit", "fault-5xx", "fault-reset"} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag --%s is not registered", name)
		}
	}
	t.Logf("%d flags documented", n)
}

func TestRunServesAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	gt := filepath.Join(dir, "groundtruth.json")
	key := filepath.Join(dir, "client.pem")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--control", "--dump-groundtruth", gt, "--oauth-key-out", key}, &stdout, &stderr)
	}()
	urlRE := regexp.MustCompile(`org (http://127\.0\.0\.1:\d+) ready in (\S+)`)
	var url string
	deadline := time.Now().Add(20 * time.Second)
	for url == "" {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			t.Logf("default org ready in %s", m[2])
			break
		}
		select {
		case code := <-done:
			t.Fatalf("run exited with %d before serving; stderr: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner after 20s; stdout: %q stderr: %q", stdout.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	banner := stdout.String()
	for _, want := range []string{"SSWS token:   " + oktasim.DefaultDemoToken, "control API:  on", "OAuth 2.0:    client", key} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "PRIVATE KEY") {
		t.Error("banner prints the private key")
	}

	req, _ := http.NewRequest("GET", url+"/api/v1/users?limit=1", nil)
	req.Header.Set("Authorization", "SSWS "+oktasim.DefaultDemoToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Rate-Limit-Limit") != "300" {
		t.Errorf("GET /api/v1/users: status %d, X-Rate-Limit-Limit %q", resp.StatusCode, resp.Header.Get("X-Rate-Limit-Limit"))
	}
	resp, err = http.Get(url + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats oktasim.PlatformStats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || stats.Buckets[oktasim.BucketUsers].Requests != 1 {
		t.Errorf("/_sim/stats: %v %+v", err, stats)
	}
	resp.Body.Close()

	data, err := os.ReadFile(gt)
	if err != nil || !json.Valid(data) || len(data) < 10 {
		t.Errorf("ground truth file: %v, %d bytes", err, len(data))
	}
	if _, err := os.Stat(key); err != nil {
		t.Errorf("OAuth key file: %v", err)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after shutdown; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--admin", "owner", "--addr", "127.0.0.1:0"}, 1, "admin role"},
		{[]string{"--tls-cert", "x.pem"}, 2, "--tls-key"},
		{[]string{"--rate-limit", "nope=3"}, 2, "unknown bucket"},
		{[]string{"--fault-5xx", "1.5", "--addr", "127.0.0.1:0"}, 1, "errorRate"},
		{[]string{"extra"}, 2, "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("%v: exit %d stderr %q, want %d and %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
}
