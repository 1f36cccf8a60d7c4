package oktasim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// orgTestNow is the generator's "now" in tests: fixed, so runs are identical.
var orgTestNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// orgTestOptions is a small org with the control API on, rate limits off
// and no background System Log generation.
func orgTestOptions() Options {
	opts := DefaultOptions()
	opts.Org = DefaultOrgOptions()
	opts.Org.Seed, opts.Org.Users, opts.Org.Groups, opts.Org.Apps = 7, 300, 30, 20
	opts.Org.Now = orgTestNow
	opts.Platform.RateLimits.Enabled = false
	opts.Control = true
	return opts
}

// orgSim is a running simulator for a test.
type orgSim struct {
	t     testing.TB
	sim   *Server
	url   string
	token string
}

// startOrgSim starts the whole Server over real HTTP on 127.0.0.1.
func startOrgSim(t testing.TB, edit func(*Options)) *orgSim {
	t.Helper()
	opts := orgTestOptions()
	if edit != nil {
		edit(&opts)
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return &orgSim{t: t, sim: sim, url: url, token: opts.Platform.Token}
}

// do sends a request with the SSWS token and returns the response and body.
func (s *orgSim) do(method, pathOrURL string, body string) (*http.Response, []byte) {
	s.t.Helper()
	u := pathOrURL
	if !strings.HasPrefix(u, "http") {
		u = s.url + pathOrURL
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		s.t.Fatalf("request %s %s: %v", method, u, err)
	}
	req.Header.Set("Authorization", "SSWS "+s.token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("read %s %s: %v", method, u, err)
	}
	return resp, b
}

// get fetches path and fails the test unless the status is want.
func (s *orgSim) get(path string, want int) (*http.Response, []byte) {
	s.t.Helper()
	resp, b := s.do("GET", path, "")
	if resp.StatusCode != want {
		s.t.Fatalf("GET %s: status %d, want %d; body %s", path, resp.StatusCode, want, b)
	}
	return resp, b
}

// list fetches a JSON array.
func (s *orgSim) list(path string) ([]map[string]any, *http.Response) {
	s.t.Helper()
	resp, b := s.get(path, http.StatusOK)
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		s.t.Fatalf("GET %s: not a JSON array: %v", path, err)
	}
	return out, resp
}

// listAll follows rel="next" links from path and returns every object and
// the number of pages.
func (s *orgSim) listAll(path string) ([]map[string]any, int) {
	s.t.Helper()
	var all []map[string]any
	pages := 0
	next := path
	for next != "" {
		page, resp := s.list(next)
		all = append(all, page...)
		pages++
		next = orgNextLink(resp)
		if pages > 10000 {
			s.t.Fatalf("GET %s: more than 10000 pages", path)
		}
	}
	return all, pages
}

// orgNextLink returns the rel="next" URL of a response, "" if none.
func orgNextLink(resp *http.Response) string {
	for _, l := range resp.Header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			return strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ";")[0], "<"), ">")
		}
	}
	return ""
}

// ids returns the "id" of every object.
func orgIDs(objs []map[string]any) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		id, _ := o["id"].(string)
		out = append(out, id)
	}
	return out
}

// errorCode decodes an Okta error body's errorCode.
func orgErrorCode(t testing.TB, b []byte) (code, summary string, causes []string) {
	t.Helper()
	var e struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		ErrorCauses  []struct {
			ErrorSummary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an Okta error body: %v: %s", err, b)
	}
	for _, c := range e.ErrorCauses {
		causes = append(causes, c.ErrorSummary)
	}
	return e.ErrorCode, e.ErrorSummary, causes
}

// orgDecode decodes JSON or fails the test.
func orgDecode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
}
