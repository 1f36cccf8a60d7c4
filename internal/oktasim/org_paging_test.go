package oktasim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestOrgPaginationLinkHeaders(t *testing.T) {
	s := startOrgSim(t, nil)
	gt := s.sim.GroundTruth()
	visible := len(gt.IDs[typeUser]) - gt.Counts.UsersByStatus["DEPROVISIONED"]

	// Default users limit is 200: the first page is full and has a next link.
	page, resp := s.list("/api/v1/users")
	if len(page) != 200 {
		t.Fatalf("default users page has %d users, want 200", len(page))
	}
	links := resp.Header.Values("Link")
	if len(links) != 2 {
		t.Fatalf("want two Link header lines (self, next), got %d: %q", len(links), links)
	}
	for _, l := range links {
		if strings.Count(l, "rel=") != 1 || strings.Contains(l, ",") {
			t.Errorf("a Link header line must carry exactly one relation: %q", l)
		}
	}
	if !strings.HasPrefix(links[0], "<"+s.url+"/api/v1/users>") || !strings.HasSuffix(links[0], `rel="self"`) {
		t.Errorf("first Link is not the absolute self link: %q", links[0])
	}
	next := orgNextLink(resp)
	if !strings.HasPrefix(next, s.url+"/api/v1/users?") {
		t.Fatalf("next link is not an absolute URL of the org: %q", next)
	}
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	after := u.Query().Get("after")
	if after == "" || u.Query().Get("limit") != "200" {
		t.Fatalf("next link %q lacks after or limit", next)
	}
	for _, id := range gt.IDs[typeUser] {
		if after == id {
			t.Fatalf("after cursor %q is an object id; it must be opaque", after)
		}
	}
	if strings.HasPrefix(after, "00u") {
		t.Fatalf("after cursor %q looks like a user id", after)
	}

	// The last page has a self link and no next link.
	last, resp := s.list(next)
	if len(last) != visible-200 {
		t.Fatalf("second page has %d users, want %d", len(last), visible-200)
	}
	if got := resp.Header.Values("Link"); len(got) != 1 || !strings.Contains(got[0], `rel="self"`) {
		t.Fatalf("last page Link headers = %q, want only self", got)
	}

	// Pages do not overlap and cover every visible user.
	seen := map[string]bool{}
	for _, id := range append(orgIDs(page), orgIDs(last)...) {
		if seen[id] {
			t.Fatalf("user %s on two pages", id)
		}
		seen[id] = true
	}
}

func TestOrgPaginationLimits(t *testing.T) {
	s := startOrgSim(t, func(o *Options) { o.Org.Apps = 45; o.Org.Groups = 120 })
	gt := s.sim.GroundTruth()
	cases := []struct {
		path string
		want int
	}{
		{"/api/v1/users?limit=500", 200},                // max 200
		{"/api/v1/users?limit=7", 7},                    // honoured
		{"/api/v1/apps", 20},                            // default 20
		{"/api/v1/apps?limit=1000", 45},                 // max 200 (all 45)
		{"/api/v1/groups", 120},                         // default 10000: every group
		{"/api/v1/groups/rules", 6},                     // 120/20 rules, default 50
		{"/api/v1/zones", len(gt.IDs[typeNetworkZone])}, // default: all
		{"/api/v1/idps?limit=2", 2},
		{"/api/v1/trustedOrigins?limit=1", 1},
		{"/api/v1/logStreams?limit=1", 1},
		{"/api/v1/authorizationServers?limit=2", 2},
	}
	for _, c := range cases {
		page, _ := s.list(c.path)
		if len(page) != c.want {
			t.Errorf("GET %s: %d objects, want %d", c.path, len(page), c.want)
		}
	}
	// App users: default 50, max 500.
	for app, n := range gt.Counts.UsersPerApp {
		if n <= 50 {
			continue
		}
		page, resp := s.list("/api/v1/apps/" + app + "/users")
		if len(page) != 50 || orgNextLink(resp) == "" {
			t.Errorf("app users default page: %d users, next %q; want 50 and a next link", len(page), orgNextLink(resp))
		}
		all, _ := s.listAll("/api/v1/apps/" + app + "/users?limit=999")
		if len(all) != n {
			t.Errorf("app %s: listed %d app users, ground truth %d", app, len(all), n)
		}
		break
	}
	// IAM assignees paginate in the body, not in Link headers.
	_, body := s.get("/api/v1/iam/assignees/users?limit=2", http.StatusOK)
	if !strings.Contains(string(body), `"next":{"href":"`+s.url+`/api/v1/iam/assignees/users?`) {
		t.Errorf("IAM assignees page lacks _links.next.href: %s", body)
	}
}

func TestOrgPaginationBadParams(t *testing.T) {
	s := startOrgSim(t, nil)
	for _, p := range []string{"/api/v1/users?limit=abc", "/api/v1/users?limit=0", "/api/v1/apps?limit=-5", "/api/v1/groups/rules?limit=x"} {
		_, b := s.get(p, http.StatusBadRequest)
		code, summary, causes := orgErrorCode(t, b)
		if code != "E0000001" || !strings.Contains(summary, "limit") || len(causes) != 1 || !strings.Contains(causes[0], "limit") {
			t.Errorf("GET %s: %s %q %q, want E0000001 naming limit", p, code, summary, causes)
		}
	}
	_, b := s.get("/api/v1/users?after=00uNOTACURSOR", http.StatusBadRequest)
	if code, _, causes := orgErrorCode(t, b); code != "E0000001" || !strings.Contains(causes[0], "after") {
		t.Errorf("bad after: %s %q", code, causes)
	}
	// Unknown extra parameters (the SDK re-sends the original query) are accepted.
	page, _ := s.list("/api/v1/users?limit=3&since=2020-01-01T00:00:00Z&foo=bar")
	if len(page) != 3 {
		t.Errorf("extra params: %d users, want 3", len(page))
	}
}

// TestOrgPaginationStableUnderDeletes: a cursor is a position, not an
// object, so deleting the last object of a page skips nobody.
func TestOrgPaginationStableUnderDeletes(t *testing.T) {
	s := startOrgSim(t, nil)
	first, resp := s.list("/api/v1/groups?limit=10")
	last := first[len(first)-1]["id"].(string)
	if r, b := s.do("DELETE", "/_sim/resources/group/"+last, ""); r.StatusCode != http.StatusNoContent {
		t.Fatalf("delete group: %d %s", r.StatusCode, b)
	}
	rest, _ := s.listAll(orgNextLink(resp))
	if got, want := len(first)+len(rest)-1, len(s.sim.GroundTruth().IDs[typeGroup]); got != want {
		t.Fatalf("paged %d groups after the delete, ground truth has %d", got, want)
	}
}
