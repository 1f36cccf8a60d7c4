package sdkv2

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// exchange is one request the simulator answered: what was asked and the next link it gave.
type exchange struct {
	requestURI string
	status     int
	next       string // path and query of the Link rel="next", "" when none
}

// recorder serves the simulator and keeps every exchange.
type recorder struct {
	sim http.Handler
	mu  sync.Mutex
	log []exchange
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	r.sim.ServeHTTP(rw, req)
	e := exchange{requestURI: req.URL.RequestURI(), status: rw.status}
	if next := nextLink(w.Header()); next != "" {
		if u, err := url.Parse(next); err == nil {
			e.next = u.RequestURI()
		}
	}
	r.mu.Lock()
	r.log = append(r.log, e)
	r.mu.Unlock()
}

func (r *recorder) exchanges(pathPrefix string) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []exchange
	for _, e := range r.log {
		if strings.HasPrefix(e.requestURI, pathPrefix) {
			out = append(out, e)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// startSim runs an in-process simulated org behind a recorder on a loopback HTTP server.
func startSim(t *testing.T, mutate func(*oktasim.Options)) (string, *recorder) {
	t.Helper()
	opts := oktasim.DefaultOptions()
	opts.Org.Users, opts.Org.Groups, opts.Org.Apps = 120, 20, 15
	opts.Platform.RateLimits.Enabled = false
	opts.Logs.EventsPerSec = 0
	if mutate != nil {
		mutate(&opts)
	}
	sim, err := oktasim.New(opts)
	if err != nil {
		t.Fatalf("oktasim.New: %v", err)
	}
	rec := &recorder{sim: sim.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv.URL, rec
}

func sdkClient(t *testing.T, base string, maxRetries int32) *okta.Client {
	t.Helper()
	_, client, err := okta.NewClient(context.Background(),
		okta.WithOrgUrl(base), okta.WithToken(oktasim.DefaultDemoToken), okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false), okta.WithRequestTimeout(30), okta.WithRateLimitMaxRetries(maxRetries))
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return client
}

// sdkList lists path with the SDK's request executor into its model T, following the SDK's
// idea of the next page (Response.Next), and returns every object re-encoded as JSON: what a
// program built on the SDK has of the object. An error is the SDK's (a page it cannot decode
// fails the whole listing).
func sdkList[T any](t *testing.T, client *okta.Client, path string) ([]map[string]any, error) {
	t.Helper()
	ctx := context.Background()
	re := client.GetRequestExecutor()
	req, err := re.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		t.Fatalf("SDK request %s: %v", path, err)
	}
	var page []T
	resp, err := re.Do(ctx, req, &page)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	all := page
	for resp.HasNextPage() && len(page) > 0 {
		page = nil
		if resp, err = resp.Next(ctx, &page); err != nil {
			return nil, fmt.Errorf("next page of %s: %w", path, err)
		}
		all = append(all, page...)
	}
	out := make([]map[string]any, 0, len(all))
	for _, v := range all {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode SDK %T: %v", v, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decode re-encoded %T: %v", v, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// rawList lists path with plain HTTP, following each Link rel="next" exactly as given, and
// returns the objects as Okta sent them.
func rawList(t *testing.T, base, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for next := base + path; next != ""; {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			t.Fatalf("raw request %s: %v", next, err)
		}
		req.Header.Set("Authorization", "SSWS "+oktasim.DefaultDemoToken)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("raw GET %s: %v", next, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("raw GET %s: status %d, %v: %s", next, resp.StatusCode, err, body)
		}
		var page []map[string]any
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("raw GET %s: %v", next, err)
		}
		out = append(out, page...)
		next = nextLink(resp.Header)
		if len(page) == 0 {
			break
		}
	}
	return out
}

// nextLink returns the URL of the Link rel="next" header, or "".
func nextLink(h http.Header) string {
	for _, link := range h.Values("Link") {
		for _, part := range strings.Split(link, ",") {
			target, params, ok := strings.Cut(part, ";")
			if ok && strings.Contains(params, `rel="next"`) {
				return strings.Trim(strings.TrimSpace(target), "<>")
			}
		}
	}
	return ""
}

// fieldPaths adds to paths every path to a non-null leaf of v ("profile.email",
// "credentials.provider.type", "_links.self.href", array elements as "[]").
func fieldPaths(prefix string, v any, paths map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			fieldPaths(p, e, paths)
		}
	case []any:
		for _, e := range x {
			fieldPaths(prefix+"[]", e, paths)
		}
	case nil:
	default:
		paths[prefix] = true
	}
}

// lostPaths returns the sorted paths that some raw object has and its SDK copy (same id) lacks.
func lostPaths(t *testing.T, raw, sdk []map[string]any) []string {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, o := range sdk {
		byID[objectID(o)] = o
	}
	lost := map[string]bool{}
	for _, r := range raw {
		id := objectID(r)
		s, ok := byID[id]
		if !ok {
			t.Errorf("object %q listed raw is missing from the SDK listing", id)
			continue
		}
		rp, sp := map[string]bool{}, map[string]bool{}
		fieldPaths("", r, rp)
		fieldPaths("", s, sp)
		for p := range rp {
			if !sp[p] {
				lost[p] = true
			}
		}
	}
	out := make([]string, 0, len(lost))
	for p := range lost {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestSDKv2DropsFields lists resource types with okta-sdk-golang v2.20.0's models and with plain
// HTTP, and reports the fields Okta sent that the SDK's copy no longer has. The receiver keeps
// every field (the record body is Okta's JSON); a program on the SDK can only keep what its
// models declare.
func TestSDKv2DropsFields(t *testing.T) {
	base, _ := startSim(t, nil)
	client := sdkClient(t, base, 2)
	until := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	since := time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	logs := "/api/v1/logs?limit=100&since=" + since + "&until=" + until
	cases := []struct {
		name, path string
		list       func(path string) ([]map[string]any, error)
	}{
		{"users", "/api/v1/users?limit=50", func(p string) ([]map[string]any, error) { return sdkList[*okta.User](t, client, p) }},
		{"groups", "/api/v1/groups?limit=10", func(p string) ([]map[string]any, error) { return sdkList[*okta.Group](t, client, p) }},
		{"applications", "/api/v1/apps?limit=10", func(p string) ([]map[string]any, error) { return sdkList[*okta.Application](t, client, p) }},
		{"group rules", "/api/v1/groups/rules?limit=50", func(p string) ([]map[string]any, error) { return sdkList[*okta.GroupRule](t, client, p) }},
		{"network zones", "/api/v1/zones", func(p string) ([]map[string]any, error) { return sdkList[*okta.NetworkZone](t, client, p) }},
		{"authenticators", "/api/v1/authenticators", func(p string) ([]map[string]any, error) { return sdkList[*okta.Authenticator](t, client, p) }},
		{"trusted origins", "/api/v1/trustedOrigins", func(p string) ([]map[string]any, error) { return sdkList[*okta.TrustedOrigin](t, client, p) }},
		{"idps", "/api/v1/idps", func(p string) ([]map[string]any, error) { return sdkList[*okta.IdentityProvider](t, client, p) }},
		{"event hooks", "/api/v1/eventHooks", func(p string) ([]map[string]any, error) { return sdkList[*okta.EventHook](t, client, p) }},
		{"system log", logs, func(p string) ([]map[string]any, error) { return sdkList[*okta.LogEvent](t, client, p) }},
	}
	totalLost, failed := 0, 0
	for _, c := range cases {
		raw := rawList(t, base, c.path)
		if len(raw) == 0 {
			t.Errorf("%s: the simulator listed nothing at %s", c.name, c.path)
			continue
		}
		sdk, err := c.list(c.path)
		if err != nil {
			failed++
			t.Logf("%-16s %4d objects: the SDK cannot list them: %v", c.name, len(raw), err)
			continue
		}
		if len(sdk) != len(raw) {
			t.Errorf("%s: SDK listed %d objects, plain HTTP %d", c.name, len(sdk), len(raw))
		}
		rawPaths := map[string]bool{}
		for _, r := range raw {
			fieldPaths("", r, rawPaths)
		}
		lost := lostPaths(t, raw, sdk)
		totalLost += len(lost)
		t.Logf("%-16s %4d objects, %3d distinct field paths sent, %3d lost by the SDK model: %s",
			c.name, len(raw), len(rawPaths), len(lost), strings.Join(first(lost, 8), ", "))
	}
	if totalLost == 0 && failed == 0 {
		t.Errorf("the SDK models kept every field of every type: the receiver README's claim that okta-sdk-golang v2 drops fields no longer holds")
	}
}

// TestSDKv2RewritesNextLinks follows System Log and user pages with the SDK and compares each
// follow-up request with the Link rel="next" that Okta gave: the SDK copies the first request's
// query parameters into every next request, so a parameter that Okta's link leaves out (or
// changes) is sent anyway.
func TestSDKv2RewritesNextLinks(t *testing.T) {
	base, rec := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 300 })
	client := sdkClient(t, base, 2)
	ctx := context.Background()
	since := time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	_, resp, err := client.LogEvent.GetLogs(ctx, &query.Params{Since: since, Limit: 50})
	if err != nil {
		t.Fatalf("GetLogs: %v", err)
	}
	for page := 0; page < 8 && resp.HasNextPage(); page++ {
		var more []*okta.LogEvent
		if resp, err = resp.Next(ctx, &more); err != nil {
			t.Fatalf("GetLogs next: %v", err)
		}
		if len(more) == 0 {
			break
		}
	}
	if _, resp, err = client.User.ListUsers(ctx, &query.Params{Limit: 25, Search: `status eq "ACTIVE"`}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	for resp.HasNextPage() {
		var more []*okta.User
		if resp, err = resp.Next(ctx, &more); err != nil {
			t.Fatalf("ListUsers next: %v", err)
		}
	}

	rewritten := 0
	for _, prefix := range []string{"/api/v1/logs", "/api/v1/users"} {
		ex := rec.exchanges(prefix)
		followed, differ := 0, 0
		var example string
		for i := 1; i < len(ex); i++ {
			want := ex[i-1].next
			if want == "" {
				continue
			}
			followed++
			if !sameQuery(want, ex[i].requestURI) {
				differ++
				if example == "" {
					example = fmt.Sprintf("link %s, SDK sent %s", want, ex[i].requestURI)
				}
			}
		}
		if followed == 0 {
			t.Errorf("%s: no next link was followed; the measurement saw nothing", prefix)
		}
		rewritten += differ
		t.Logf("%-13s %d next links followed by the SDK, %d sent with another query than the link's. %s", prefix, followed, differ, example)
	}
	if rewritten == 0 {
		t.Errorf("the SDK followed every next link as given: the receiver README's claim that it rewrites them no longer holds")
	}
}

// sameQuery reports whether two request URIs have the same path and the same query parameters.
func sameQuery(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return ua.Path == ub.Path && ua.Query().Encode() == ub.Query().Encode()
}

// TestSDKv2OnlyReactsTo429 lists users with the SDK from a small rate-limit bucket. The SDK has
// no budget: it sends until Okta answers 429, then waits for X-Rate-Limit-Reset and retries, so
// it spends the whole bucket, which the org's other integrations share, and collects 429s. The
// receiver learns each bucket from the headers and stays within its share.
func TestSDKv2OnlyReactsTo429(t *testing.T) {
	base, rec := startSim(t, func(o *oktasim.Options) {
		o.Platform.RateLimits.Enabled = true
		o.Platform.RateLimits.Window = 2 * time.Second
		o.Platform.RateLimits.Share = 1
		o.Platform.RateLimits.Buckets = map[string]int{oktasim.BucketUsers: 5}
	})
	client := sdkClient(t, base, 10)
	if _, err := sdkList[*okta.User](t, client, "/api/v1/users?limit=10"); err != nil {
		t.Fatalf("SDK listing under rate limits: %v", err)
	}
	ex := rec.exchanges("/api/v1/users")
	if last := ex[len(ex)-1]; last.status != http.StatusOK || last.next != "" {
		t.Errorf("the SDK's listing did not end on a last page (status %d, next %q)", last.status, last.next)
	}
	limited := 0
	for _, e := range ex {
		if e.status == http.StatusTooManyRequests {
			limited++
		}
	}
	t.Logf("SDK listing of the users in pages of 10 from a bucket of 5 requests per 2s: %d requests, %d answered 429", len(ex), limited)
	if limited == 0 {
		t.Errorf("the SDK met no 429 while listing 12 pages from a bucket of 5: the measurement saw nothing")
	}
}

// objectID is an object's id, or a System Log event's uuid.
func objectID(o map[string]any) string {
	if id, ok := o["id"].(string); ok {
		return id
	}
	id, _ := o["uuid"].(string)
	return id
}

func first(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... (%d more)", len(s)-n))
	}
	return s
}
