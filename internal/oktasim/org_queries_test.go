package oktasim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestOrgUsersDeprovisionedHiddenAndVisible(t *testing.T) {
	s := startOrgSim(t, nil)
	gt := s.sim.GroundTruth()
	deprov := gt.Counts.UsersByStatus["DEPROVISIONED"]
	if deprov == 0 {
		t.Fatal("generated org has no DEPROVISIONED user")
	}
	plain, _ := s.listAll("/api/v1/users")
	for _, u := range plain {
		if u["status"] == "DEPROVISIONED" {
			t.Fatalf("plain list returned DEPROVISIONED user %v", u["id"])
		}
	}
	if len(plain) != len(gt.IDs[typeUser])-deprov {
		t.Fatalf("plain list: %d users, want %d", len(plain), len(gt.IDs[typeUser])-deprov)
	}
	for _, q := range []string{"search=" + url.QueryEscape(`status eq "DEPROVISIONED"`), "filter=" + url.QueryEscape(`status eq "DEPROVISIONED"`)} {
		got, _ := s.listAll("/api/v1/users?" + q)
		if len(got) != deprov {
			t.Errorf("%s: %d users, want %d", q, len(got), deprov)
		}
	}
	// A lastUpdated filter returns every status, DEPROVISIONED included.
	all, _ := s.listAll("/api/v1/users?filter=" + url.QueryEscape(`lastUpdated gt "2000-01-01T00:00:00.000Z"`))
	if len(all) != len(gt.IDs[typeUser]) {
		t.Errorf("lastUpdated filter: %d users, want all %d", len(all), len(gt.IDs[typeUser]))
	}
}

func TestOrgUsersSearchAndFilter(t *testing.T) {
	s := startOrgSim(t, nil)
	all, _ := s.listAll("/api/v1/users?search=" + url.QueryEscape(`id pr`))
	// Pick a cut so that some users are before and some after.
	cut := orgTestNow.Add(-200 * 24 * time.Hour).Format(oktaTimeLayout)
	want := 0
	for _, u := range all {
		if u["lastUpdated"].(string) > cut {
			want++
		}
	}
	if want == 0 || want == len(all) {
		t.Fatalf("cut %s does not split the org (%d of %d)", cut, want, len(all))
	}
	for _, param := range []string{"search", "filter"} {
		got, _ := s.listAll("/api/v1/users?" + param + "=" + url.QueryEscape(`lastUpdated gt "`+cut+`"`))
		if len(got) != want {
			t.Errorf("%s lastUpdated gt: %d users, want %d", param, len(got), want)
		}
		for _, u := range got {
			if u["lastUpdated"].(string) <= cut {
				t.Errorf("%s returned user %v updated %v, not after %s", param, u["id"], u["lastUpdated"], cut)
			}
		}
	}
	target := all[5]
	login := target["profile"].(map[string]any)["login"].(string)
	for _, expr := range []string{
		`profile.login eq "` + login + `"`,
		`id eq "` + target["id"].(string) + `"`,
		`(status eq "NOPE" or id eq "` + target["id"].(string) + `") and lastUpdated ge "2000-01-01T00:00:00.000Z"`,
	} {
		got, _ := s.list("/api/v1/users?filter=" + url.QueryEscape(expr))
		if len(got) != 1 || got[0]["id"] != target["id"] {
			t.Errorf("filter %s: %v, want exactly %v", expr, orgIDs(got), target["id"])
		}
	}
	// search: sw and co on names.
	first := strings.ToLower(target["profile"].(map[string]any)["firstName"].(string))
	got, _ := s.listAll("/api/v1/users?search=" + url.QueryEscape(`profile.firstName sw "`+first[:2]+`"`))
	if len(got) == 0 {
		t.Errorf("search firstName sw %q found nobody", first[:2])
	}
	// GET by id and by login.
	for _, key := range []string{target["id"].(string), login} {
		_, b := s.get("/api/v1/users/"+url.PathEscape(key), http.StatusOK)
		if !strings.Contains(string(b), target["id"].(string)) {
			t.Errorf("GET /users/%s returned another user", key)
		}
	}
	// q: prefix, default 10, no pagination, no DEPROVISIONED.
	page, resp := s.list("/api/v1/users?q=" + url.QueryEscape(first))
	if len(page) == 0 || len(page) > 10 || orgNextLink(resp) != "" {
		t.Errorf("q=%s: %d users, next %q; want 1..10 and no next link", first, len(page), orgNextLink(resp))
	}
}

func TestOrgQueryErrorsNameTheProblem(t *testing.T) {
	s := startOrgSim(t, nil)
	cases := []struct{ path, code, mention string }{
		{"/api/v1/users?filter=" + url.QueryEscape(`profile.login co "a"`), "E0000031", `"co"`},
		{"/api/v1/users?filter=" + url.QueryEscape(`profile.city eq "x"`), "E0000031", "profile.city"},
		{"/api/v1/users?search=" + url.QueryEscape(`status ne "ACTIVE"`), "E0000031", `"ne"`},
		{"/api/v1/users?search=" + url.QueryEscape(`status eq "ACTIVE`), "E0000053", "unterminated"},
		{"/api/v1/users?filter=" + url.QueryEscape(`lastUpdated gt "yesterday"`), "E0000031", "lastUpdated"},
		{"/api/v1/users?filter=" + url.QueryEscape(`status eq "ACTIVE" and`), "E0000053", "filter"},
		{"/api/v1/groups?filter=" + url.QueryEscape(`profile.name eq "x"`), "E0000031", "profile.name"},
		{"/api/v1/apps?filter=" + url.QueryEscape(`label eq "x"`), "E0000031", "label"},
	}
	for _, c := range cases {
		_, b := s.get(c.path, http.StatusBadRequest)
		code, _, causes := orgErrorCode(t, b)
		if code != c.code || len(causes) == 0 || !strings.Contains(causes[0], c.mention) {
			t.Errorf("GET %s: %s %q, want %s mentioning %s", c.path, code, causes, c.code, c.mention)
		}
	}
	_, b := s.get("/api/v1/users/00uDoesNotExist000000", http.StatusNotFound)
	if code, _, _ := orgErrorCode(t, b); code != "E0000007" {
		t.Errorf("unknown user: %s, want E0000007", code)
	}
	for _, p := range []string{"/api/v1/groups/00gNope", "/api/v1/apps/0oaNope", "/api/v1/policies/00pNope", "/api/v1/zones/nzoNope", "/api/v1/groups/rules/0prNope"} {
		_, b := s.get(p, http.StatusNotFound)
		if code, _, _ := orgErrorCode(t, b); code != "E0000007" {
			t.Errorf("GET %s: %s, want E0000007", p, code)
		}
	}
}

func TestOrgGroupsFilterAndStats(t *testing.T) {
	s := startOrgSim(t, nil)
	gt := s.sim.GroundTruth()
	groups, _ := s.listAll("/api/v1/groups?expand=stats")
	if len(groups) != len(gt.IDs[typeGroup]) {
		t.Fatalf("%d groups, want %d", len(groups), len(gt.IDs[typeGroup]))
	}
	checkedMembers := 0
	for _, g := range groups {
		id := g["id"].(string)
		stats := g["_embedded"].(map[string]any)["stats"].(map[string]any)
		if int(stats["usersCount"].(float64)) != gt.Counts.GroupMembers[id] {
			t.Errorf("group %s usersCount %v, ground truth %d", id, stats["usersCount"], gt.Counts.GroupMembers[id])
		}
		for _, k := range []string{"appsCount", "groupPushMappingsCount", "hasAdminPrivilege"} {
			if _, ok := stats[k]; !ok {
				t.Errorf("group %s stats lack %s", id, k)
			}
		}
		if n := gt.Counts.GroupMembers[id]; n > 0 && checkedMembers < 3 {
			members, _ := s.listAll("/api/v1/groups/" + id + "/users?limit=7")
			if len(members) != n {
				t.Errorf("group %s: listed %d members, usersCount %d", id, len(members), n)
			}
			checkedMembers++
		}
	}
	builtin, _ := s.list("/api/v1/groups?filter=" + url.QueryEscape(`type eq "BUILT_IN"`))
	if len(builtin) != 1 || builtin[0]["profile"].(map[string]any)["name"] != "Everyone" {
		t.Errorf("type eq BUILT_IN: %v", orgIDs(builtin))
	}
	appGroups, _ := s.list("/api/v1/groups?filter=" + url.QueryEscape(`type eq "APP_GROUP"`))
	if len(appGroups) != gt.Counts.GroupsByType["APP_GROUP"] {
		t.Errorf("type eq APP_GROUP: %d, want %d", len(appGroups), gt.Counts.GroupsByType["APP_GROUP"])
	}
	recent, _ := s.list("/api/v1/groups?filter=" + url.QueryEscape(`lastUpdated gt "2100-01-01T00:00:00.000Z"`))
	if len(recent) != 0 {
		t.Errorf("lastUpdated gt 2100: %d groups", len(recent))
	}
}

func TestOrgAppsFilter(t *testing.T) {
	s := startOrgSim(t, nil)
	gt := s.sim.GroundTruth()
	inactive := 0
	for k, n := range gt.Counts.AppsByStatusAndSignOnMode {
		if strings.HasPrefix(k, "INACTIVE/") {
			inactive += n
		}
	}
	got, _ := s.listAll("/api/v1/apps?filter=" + url.QueryEscape(`status eq "INACTIVE"`))
	if inactive == 0 || len(got) != inactive {
		t.Errorf("status eq INACTIVE: %d apps, ground truth %d", len(got), inactive)
	}
	oidc, _ := s.listAll("/api/v1/apps?filter=" + url.QueryEscape(`name eq "oidc_client"`))
	secret := false
	for _, a := range oidc {
		if a["signOnMode"] != "OPENID_CONNECT" {
			t.Errorf("name eq oidc_client returned a %v app", a["signOnMode"])
		}
		if oc, ok := a["credentials"].(map[string]any)["oauthClient"].(map[string]any); ok && oc["client_secret"] != nil {
			secret = true
		}
	}
	if !secret {
		t.Error("no OIDC app carries credentials.oauthClient.client_secret")
	}
	au := gt.IDs[typeApplicationUser][0]
	user := au[strings.Index(au, "/")+1:]
	assigned, _ := s.listAll("/api/v1/apps?filter=" + url.QueryEscape(`user.id eq "`+user+`"`))
	want := 0
	for _, id := range gt.IDs[typeApplicationUser] {
		if strings.HasSuffix(id, "/"+user) {
			want++
		}
	}
	if len(assigned) != want {
		t.Errorf("user.id eq %s: %d apps, want %d", user, len(assigned), want)
	}
}

func TestOrgPoliciesTypeRequiredAndClassic(t *testing.T) {
	classic := startOrgSim(t, func(o *Options) { o.Org.Engine = engineClassic })
	oie := startOrgSim(t, nil)
	for _, s := range []*orgSim{classic, oie} {
		_, b := s.get("/api/v1/policies", http.StatusBadRequest)
		if code, summary, _ := orgErrorCode(t, b); code != "E0000001" || !strings.Contains(summary, "type") {
			t.Errorf("policies without type: %s %q, want E0000001 naming type", code, summary)
		}
		_, b = s.get("/api/v1/policies?type=NOT_A_TYPE", http.StatusBadRequest)
		if code, _, _ := orgErrorCode(t, b); code != "E0000002" {
			t.Errorf("unknown policy type: %s, want E0000002", code)
		}
		for _, pt := range classicPolicyTypes {
			pols, _ := s.list("/api/v1/policies?type=" + pt)
			if len(pols) == 0 {
				t.Errorf("no %s policy", pt)
			}
		}
	}
	for _, pt := range oieOnlyPolicyTypes {
		_, b := classic.get("/api/v1/policies?type="+pt, http.StatusBadRequest)
		code, summary, _ := orgErrorCode(t, b)
		if code != "E0000002" || summary != "The request was not valid: Invalid policy type specified." {
			t.Errorf("classic %s: %s %q", pt, code, summary)
		}
		pols, _ := oie.list("/api/v1/policies?type=" + pt)
		if len(pols) == 0 {
			t.Errorf("oie org has no %s policy", pt)
		}
	}
	// Engine probe, unauthenticated.
	for s, want := range map[*orgSim]string{classic: `"pipeline":"v1"`, oie: `"pipeline":"idx"`} {
		resp, err := http.Get(s.url + "/.well-known/okta-organization")
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 4096)
		n, _ := resp.Body.Read(b)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b[:n]), want) {
			t.Errorf("well-known: %d %s, want %s", resp.StatusCode, b[:n], want)
		}
	}
	// OKTA_SIGN_ON rules are of type SIGN_ON.
	pols, _ := oie.list("/api/v1/policies?type=OKTA_SIGN_ON")
	rules, _ := oie.list("/api/v1/policies/" + pols[0]["id"].(string) + "/rules")
	for _, r := range rules {
		if r["type"] != "SIGN_ON" {
			t.Errorf("OKTA_SIGN_ON rule %v has type %v", r["id"], r["type"])
		}
	}
}
