package oktasim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta/query"
)

// startPlatformServer starts the whole simulator (every part) with test
// platform options, the control API on.
func startPlatformServer(t *testing.T, edit func(o *Options)) (*Server, string) {
	t.Helper()
	opts := DefaultOptions()
	opts.Platform = testPlatformOptions(t)
	opts.Control = true
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

func TestPlatformEndToEndSDKListsGroups(t *testing.T) {
	s, url := startPlatformServer(t, nil)
	ctx, c := sdkPrivateKeyClient(t, url, "okta.groups.read", "okta.logs.read")
	groups, resp, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithLimit(5)))
	if err != nil {
		t.Fatalf("ListGroups through the whole simulator: %v", err)
	}
	known := s.GroundTruth().IDs[typeGroup]
	if len(groups) == 0 || len(groups) > 5 || resp.Header.Get("X-Rate-Limit-Limit") != "250" {
		t.Fatalf("ListGroups: %d groups, X-Rate-Limit-Limit %q", len(groups), resp.Header.Get("X-Rate-Limit-Limit"))
	}
	if !slices.Contains(known, groups[0].Id) {
		t.Errorf("group %s is not in the ground truth (%d groups known)", groups[0].Id, len(known))
	}
	// okta.users.read was not requested: the whole stack answers 403.
	if _, _, err := c.User.ListUsers(ctx, nil); err == nil || !strings.Contains(err.Error(), "required scopes") {
		t.Errorf("ListUsers without scope: err = %v", err)
	}
	st := s.PlatformStats()
	if st.TokensIssued != 1 || st.Buckets[BucketGroups].Requests != 1 || st.Forbidden != 1 {
		t.Errorf("stats: tokensIssued %d groups %+v forbidden %d", st.TokensIssued, st.Buckets[BucketGroups], st.Forbidden)
	}
}

func TestPlatformEndToEndReadOnlyAndStats(t *testing.T) {
	_, url := startPlatformServer(t, func(o *Options) { o.Platform.AdminRole = RoleReadOnly })
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", url+path, nil)
		req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("/api/v1/org/privacy/oktaSupport")
	expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
	resp = get("/api/v1/org")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("read-only GET /api/v1/org: status %d", resp.StatusCode)
	}
	resp = get("/.well-known/okta-organization")
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Okta-Request-Id") == "" {
		t.Errorf("well-known: status %d", resp.StatusCode)
	}
	resp, err := http.Get(url + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st PlatformStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Requests != 2 || st.Forbidden != 1 || st.Paths["GET /api/v1/org/privacy/oktaSupport"] != 1 {
		t.Errorf("/_sim/stats = %+v", st)
	}
}

func TestPlatformControlRoutesOnlyWithControl(t *testing.T) {
	_, url := startPlatformServer(t, func(o *Options) { o.Control = false })
	for _, path := range []string{"/_sim/stats", "/_sim/faults", "/_sim/ratelimits"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s without --control: status %d, want 404", path, resp.StatusCode)
		}
	}
}
