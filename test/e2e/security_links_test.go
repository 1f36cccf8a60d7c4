package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// securityResourceTypes are the receiver's inventory resource types; the
// fake-org tests enable only the ones the fake org serves.
var securityResourceTypes = []string{
	"user", "group", "group_membership", "group_rule", "application", "application_user",
	"application_group", "policy", "policy_rule", "user_factor", "authenticator",
	"authorization_server", "identity_provider", "network_zone", "trusted_origin", "user_type",
	"admin_role_assignment", "api_token", "event_hook", "log_stream", "org", "okta_support",
	"feature", "threat_insight",
}

// enableOnlyResources renders an inventory.resources block that enables exactly the given types.
func enableOnlyResources(enabled ...string) string {
	var b strings.Builder
	b.WriteString("    inventory:\n      resources:\n")
	for _, r := range securityResourceTypes {
		on := false
		for _, e := range enabled {
			on = on || e == r
		}
		fmt.Fprintf(&b, "        %s: {enabled: %v}\n", r, on)
	}
	return b.String()
}

// fakeOrgConfig points the collector at a fake org; RESOURCES is an enableOnlyResources block.
const fakeOrgConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{ORG}}
    api_token: ${env:OKTA_API_TOKEN}
{{RESOURCES}}
    system_log:
      enabled: {{SYSTEMLOG}}
      poll_interval: 1s
      initial_backoff: 500ms
      max_backoff: 2s
` + fileExporterTail

// recordingServer records every request it receives: the credential must never get here.
type recordingServer struct {
	mu       sync.Mutex
	requests []string // "METHOD path auth=<present|absent>"
	auth     []string // Authorization values received
	url      string
}

// startRecordingServer listens on addr ("127.0.0.2:0" or "127.0.0.1:0") and answers 200 [].
func startRecordingServer(t *testing.T, addr string) *recordingServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	mustf(t, err, "listen on %s (127.0.0.0/8 is loopback on Linux)", addr)
	rs := &recordingServer{url: "http://" + ln.Addr().String()}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		auth := r.Header.Get("Authorization")
		rs.requests = append(rs.requests, fmt.Sprintf("%s %s auth=%v", r.Method, r.URL.Path, auth != ""))
		if auth != "" {
			rs.auth = append(rs.auth, auth)
		}
		rs.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return rs
}

func (rs *recordingServer) received() (requests, auth []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.requests...), append([]string(nil), rs.auth...)
}

// securityFakeOrg is a minimal Okta org on 127.0.0.1 whose answers are set per path by the test.
type securityFakeOrg struct {
	*httptest.Server
	mu     sync.Mutex
	hits   map[string]int
	routes map[string]http.HandlerFunc
}

func startSecurityFakeOrg(t *testing.T, routes map[string]http.HandlerFunc) *securityFakeOrg {
	t.Helper()
	o := &securityFakeOrg{hits: map[string]int{}, routes: routes}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.hits[r.URL.Path]++
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if h, ok := o.routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		if r.URL.Path == "/.well-known/okta-organization" {
			_, _ = w.Write([]byte(`{"id":"00ofakeorg0000000001","pipeline":"idx"}`))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errorCode":"E0000007","errorSummary":"Not found: Resource not found","errorCauses":[]}`))
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *securityFakeOrg) hitCount(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[path]
}

// oneUserPage answers a page with one user and a Link rel="next" to next.
func oneUserPage(next string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", fmt.Sprintf(`<http://%s%s>; rel="self"`, r.Host, r.URL.RequestURI()))
		w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="next"`, next))
		_, _ = w.Write([]byte(`[{"id":"00ufake0000000000001","status":"ACTIVE","created":"2026-01-01T00:00:00.000Z",` +
			`"lastUpdated":"2026-01-02T00:00:00.000Z","profile":{"login":"fake@example.com","email":"fake@example.com"}}]`))
	}
}

// TestSecurityForeignNextLinkRefused serves a fake org whose user list and System Log
// pages carry a rel="next" link to another origin (another loopback address for the
// users, another port of the same address for the System Log). The collector must never
// request either, must log an error naming the foreign origin, and must keep running.
func TestSecurityForeignNextLinkRefused(t *testing.T) {
	foreignAddr := startRecordingServer(t, "127.0.0.2:0")
	foreignPort := startRecordingServer(t, "127.0.0.1:0")
	usersNext := foreignAddr.url + "/api/v1/users?after=x"
	logsNext := foreignPort.url + "/api/v1/logs?after=y"
	org := startSecurityFakeOrg(t, map[string]http.HandlerFunc{
		"/api/v1/users": oneUserPage(usersNext),
		"/api/v1/logs": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="next"`, logsNext))
			_, _ = w.Write([]byte("[]"))
		},
	})

	dir := t.TempDir()
	health := freePort(t)
	token := distinctiveSecret(t, "foreign-e2e-")
	cfg := render(fakeOrgConfig, map[string]string{
		"DIR": dir, "ORG": org.URL, "HEALTH": strconv.Itoa(health),
		"RESOURCES": enableOnlyResources("user"), "SYSTEMLOG": "true",
	})
	coll := startCollector(t, dir, cfg, health, "OKTA_API_TOKEN="+token)

	reported := map[string]string{} // origin -> the log line naming it
	logged := func(origin string) bool {
		if reported[origin] != "" {
			return true
		}
		for _, line := range strings.Split(coll.out.String(), "\n") {
			if strings.Contains(line, "foreign origin") && strings.Contains(line, origin) {
				reported[origin] = line
				return true
			}
		}
		return false
	}
	usersOrigin := strings.TrimPrefix(foreignAddr.url, "http://")
	logsOrigin := strings.TrimPrefix(foreignPort.url, "http://")
	ok := waitFor(context.Background(), 30*time.Second, 200*time.Millisecond, func() bool {
		return logged(usersOrigin) && logged(logsOrigin) && org.hitCount("/api/v1/logs") >= 2
	})
	if !ok {
		t.Errorf("within 30 s the collector did not log an error naming each foreign origin "+
			"(users link to %s: %v, System Log link to %s: %v; org saw %d user and %d log requests)",
			usersOrigin, logged(usersOrigin), logsOrigin, logged(logsOrigin),
			org.hitCount("/api/v1/users"), org.hitCount("/api/v1/logs"))
	}
	for origin, line := range reported {
		t.Logf("refusal of %s logged as: %s", origin, tail(line, 400))
	}
	// The System Log poller retries the refused page after its backoff (500 ms to 2 s), and
	// would follow the link right after each page: observe until the org has served two
	// more System Log pages, each a chance to (wrongly) follow.
	logPages := org.hitCount("/api/v1/logs")
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool {
		return org.hitCount("/api/v1/logs") >= logPages+2
	}) {
		t.Errorf("the System Log poller did not retry within 30 s (org served %d pages): the observation proves nothing",
			org.hitCount("/api/v1/logs"))
	}
	for name, rs := range map[string]*recordingServer{"127.0.0.2 (users next link)": foreignAddr, "127.0.0.1 other port (System Log next link)": foreignPort} {
		reqs, auth := rs.received()
		if len(reqs) > 0 {
			t.Errorf("the foreign origin %s received %d requests (%v); %d carried an Authorization header",
				name, len(reqs), reqs[:min(5, len(reqs))], len(auth))
		}
	}
	if org.hitCount("/api/v1/users") == 0 {
		t.Errorf("the collector never listed users on the org")
	}
	if coll.exited() {
		t.Fatalf("the collector exited after refusing a foreign link: %v", coll.err)
	}
	if _, err := fetchBody(fmt.Sprintf("http://127.0.0.1:%d/", health)); err != nil {
		t.Errorf("the collector's health check fails after refusing a foreign link: %v", err)
	}
	if strings.Contains(coll.out.String(), token) {
		t.Errorf("LEAK: the API token appears in the collector's output")
	}
}

// TestSecurityRedirectToForeignOriginCarriesNoCredential serves a fake org whose user
// list answers 302 to another origin (same address, another port: Go's http.Client
// keeps the Authorization header when only the port differs). The foreign listener must
// receive no credential: the receiver must not follow the redirect with it.
func TestSecurityRedirectToForeignOriginCarriesNoCredential(t *testing.T) {
	foreign := startRecordingServer(t, "127.0.0.1:0")
	org := startSecurityFakeOrg(t, map[string]http.HandlerFunc{
		"/api/v1/users": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, foreign.url+"/api/v1/users?limit=200", http.StatusFound)
		},
	})
	dir := t.TempDir()
	health := freePort(t)
	token := distinctiveSecret(t, "redirect-e2e-")
	cfg := render(fakeOrgConfig, map[string]string{
		"DIR": dir, "ORG": org.URL, "HEALTH": strconv.Itoa(health),
		"RESOURCES": enableOnlyResources("user"), "SYSTEMLOG": "false",
	})
	coll := startCollector(t, dir, cfg, health, "OKTA_API_TOKEN="+token)
	// The redirect is decided inside the request that received it: once the collector has
	// logged its refusal (or, if it followed, once the foreign origin saw the request), the
	// outcome is known.
	foreignOrigin := strings.TrimPrefix(foreign.url, "http://")
	refusal := ""
	decided := func() bool {
		if reqs, _ := foreign.received(); len(reqs) > 0 {
			return true
		}
		for _, line := range strings.Split(coll.out.String(), "\n") {
			if strings.Contains(line, "foreign origin") && strings.Contains(line, foreignOrigin) {
				refusal = line
				return true
			}
		}
		return false
	}
	if !waitFor(context.Background(), 30*time.Second, 200*time.Millisecond, decided) {
		t.Fatalf("within 30 s the collector neither refused nor followed the redirect to %s (org saw %d user requests)",
			foreignOrigin, org.hitCount("/api/v1/users"))
	}
	if refusal != "" {
		t.Logf("redirect refusal logged as: %s", tail(refusal, 400))
	}
	reqs, auth := foreign.received()
	for _, a := range auth {
		if strings.Contains(a, token) {
			t.Errorf("LEAK: the API token was sent to the foreign origin %s after a redirect (requests: %v)", foreign.url, reqs)
			break
		}
	}
	if len(auth) > 0 && !strings.Contains(strings.Join(auth, " "), token) {
		t.Errorf("the foreign origin received an Authorization header after a redirect: %d requests", len(auth))
	}
	if coll.exited() {
		t.Fatalf("the collector exited after a redirect: %v", coll.err)
	}
}
