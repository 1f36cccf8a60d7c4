package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// secretNeedle is one secret value that must not appear in any output.
type secretNeedle struct {
	label string // what the secret is, for the failure message ("API token")
	value string
}

// distinctiveSecret returns prefix followed by 24 random hex characters: a value that
// cannot appear in an output by chance.
func distinctiveSecret(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 12)
	_, err := rand.Read(b)
	mustf(t, err, "random secret")
	return prefix + hex.EncodeToString(b)
}

// pemBodyNeedles returns one needle per base64 body line of every PEM block in pemText,
// skipping lines shorter than 24 characters (the short last line of a block could
// occur by chance). A private key is leaked if any of its body lines shows up.
func pemBodyNeedles(label string, pemText []byte) []secretNeedle {
	var out []secretNeedle
	inBlock := false
	for _, line := range strings.Split(string(pemText), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "-----BEGIN "):
			inBlock = true
		case strings.HasPrefix(line, "-----END "):
			inBlock = false
		case inBlock && len(line) >= 24 && !strings.Contains(line, ":"):
			out = append(out, secretNeedle{label: fmt.Sprintf("%s (PEM body line %d)", label, len(out)+1), value: line})
		}
	}
	return out
}

// scanForSecrets reports (t.Errorf) every needle found in any output, naming the output,
// the secret and its surroundings with the secret itself masked.
func scanForSecrets(t *testing.T, outputs map[string][]byte, needles []secretNeedle) {
	t.Helper()
	if len(needles) == 0 {
		t.Fatalf("scanForSecrets: no secrets to look for")
	}
	scanned := 0
	for name, data := range outputs {
		scanned += len(data)
		for _, n := range needles {
			if n.value == "" {
				t.Fatalf("scanForSecrets: the %s is empty", n.label)
			}
			i := bytes.Index(data, []byte(n.value))
			if i < 0 {
				continue
			}
			from, to := max(0, i-80), min(len(data), i+len(n.value)+80)
			context := strings.ReplaceAll(string(data[from:to]), n.value, "<"+n.label+">")
			t.Errorf("LEAK: the %s appears in %s (%d times): ...%s...",
				n.label, name, bytes.Count(data, []byte(n.value)), context)
		}
	}
	t.Logf("scanned %d outputs (%d bytes) for %d secret values", len(outputs), scanned, len(needles))
}

// fetchBody GETs url and returns the body of a 200 answer.
func fetchBody(url string) ([]byte, error) {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return body, nil
}

// readTree returns the content of every regular file under dir, keyed by "what: path
// relative to dir" (the storage extension's database, exporter outputs, ...).
func readTree(t *testing.T, what, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[what+": "+rel] = data
		return nil
	})
	mustf(t, err, "read %s", dir)
	return out
}

// simHook is the part of oktasim's /_sim/hooks listing the tests read.
type simHook struct {
	ID                 string `json:"id"`
	VerificationStatus string `json:"verificationStatus"`
	LastError          string `json:"lastError"`
	Deliveries         struct {
		Succeeded int `json:"succeeded"`
		Failed    int `json:"failed"`
	} `json:"deliveries"`
	EventsDelivered int `json:"eventsDelivered"`
}

// registeredHooks returns the simulator's registered event hooks.
func (s *simulator) registeredHooks(t *testing.T) []simHook {
	t.Helper()
	var list struct {
		Hooks []simHook `json:"hooks"`
	}
	s.getJSON(t, "/_sim/hooks", &list)
	return list.Hooks
}

// credentialRecorder is a reverse proxy in front of the simulator that remembers every
// credential the collector sends: Authorization values (the SSWS token, OAuth access
// tokens) and the client assertions posted to the token endpoint. The access tokens are
// minted by the simulator, so the test learns them only here. The simulator builds its
// links from the Host header, which the proxy keeps, so the collector stays on the proxy.
type credentialRecorder struct {
	url string

	mu         sync.Mutex
	auth       map[string]bool
	assertions map[string]bool
}

func startCredentialRecorder(t *testing.T, target string) *credentialRecorder {
	t.Helper()
	u, err := url.Parse(target)
	mustf(t, err, "parse %s", target)
	cr := &credentialRecorder{auth: map[string]bool{}, assertions: map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // the fault phase makes the simulator reset connections
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustf(t, err, "listen for the credential recorder")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cr.record(r)
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	cr.url = "http://" + ln.Addr().String()
	return cr
}

// record notes the request's credentials; a token request's form body is read and put back.
func (cr *credentialRecorder) record(r *http.Request) {
	var assertion string
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/token") && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			assertion = form.Get("client_assertion")
		}
		if assertion == "" {
			assertion = r.URL.Query().Get("client_assertion")
		}
	}
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if a := r.Header.Get("Authorization"); a != "" {
		cr.auth[a] = true
	}
	if assertion != "" {
		cr.assertions[assertion] = true
	}
}

// needles returns the recorded credentials: each Authorization value without its scheme,
// and each client assertion, plus how many access tokens were seen per scheme (Bearer,
// DPoP).
func (cr *credentialRecorder) needles() (out []secretNeedle, tokens map[string]int) {
	tokens = map[string]int{}
	cr.mu.Lock()
	defer cr.mu.Unlock()
	for a := range cr.auth {
		scheme, value, _ := strings.Cut(a, " ")
		if scheme == "Bearer" || scheme == "DPoP" {
			tokens[scheme]++
		}
		out = append(out, secretNeedle{label: scheme + " credential sent to the org", value: value})
	}
	for a := range cr.assertions {
		out = append(out, secretNeedle{label: "OAuth client assertion", value: a})
	}
	return out, tokens
}
