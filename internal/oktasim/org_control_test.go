package oktasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// ctl sends a control-API request and decodes the JSON answer.
func (s *orgSim) ctl(method, path, body string, want int) map[string]any {
	s.t.Helper()
	resp, b := s.do(method, path, body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, b)
	}
	out := map[string]any{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			s.t.Fatalf("%s %s: not a JSON object: %s", method, path, b)
		}
	}
	return out
}

// logEvents returns the System Log events of eventType naming targetID,
// published since the given time.
func (s *orgSim) logEvents(since time.Time, eventType, targetID string) []map[string]any {
	s.t.Helper()
	filter := `eventType eq "` + eventType + `" and target.id eq "` + targetID + `"`
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}, "until": {time.Now().UTC().Add(time.Minute).Format(time.RFC3339)}, "filter": {filter}}
	events, _ := s.listAll("/api/v1/logs?" + q.Encode())
	return events
}

func TestOrgControlUserLifecycle(t *testing.T) {
	s := startOrgSim(t, nil)
	start := time.Now().Add(-time.Second)

	created := s.ctl("POST", "/_sim/resources/user", `{"profile":{"firstName":"Quinn","lastName":"Test","login":"quinn@example.com","email":"quinn@example.com"}}`, http.StatusCreated)
	id := created["id"].(string)
	if !strings.HasPrefix(id, "00u") || created["status"] != "ACTIVE" {
		t.Fatalf("created user %v status %v", id, created["status"])
	}
	_, b := s.get("/api/v1/users/quinn@example.com", http.StatusOK)
	if !strings.Contains(string(b), id) {
		t.Fatalf("GET by login does not return the new user")
	}
	if len(s.logEvents(start, "user.lifecycle.create", id)) != 1 {
		t.Error("no user.lifecycle.create event for the new user")
	}

	// Update: lastUpdated moves forward and an incremental query finds it. No
	// pause is needed: mutation times strictly increase, even within one
	// millisecond of the clock.
	before := created["lastUpdated"].(string)
	updated := s.ctl("PATCH", "/_sim/resources/user/"+id, `{"status":"SUSPENDED","profile":{"title":"Tester"}}`, http.StatusOK)
	if updated["lastUpdated"].(string) <= before || updated["status"] != "SUSPENDED" {
		t.Fatalf("update: lastUpdated %v -> %v, status %v", before, updated["lastUpdated"], updated["status"])
	}
	if updated["profile"].(map[string]any)["firstName"] != "Quinn" || updated["profile"].(map[string]any)["title"] != "Tester" {
		t.Errorf("merge patch lost or missed profile fields: %v", updated["profile"])
	}
	changed, _ := s.list("/api/v1/users?search=" + url.QueryEscape(`lastUpdated gt "`+before+`"`))
	if !slices.Contains(orgIDs(changed), id) {
		t.Errorf("search lastUpdated gt %s misses the updated user", before)
	}
	if len(s.logEvents(start, "user.lifecycle.suspend", id)) != 1 {
		t.Error("no user.lifecycle.suspend event")
	}

	// First delete deactivates (DEPROVISIONED, hidden from the plain list),
	// the second removes the user.
	deact := s.ctl("DELETE", "/_sim/resources/user/"+id, "", http.StatusOK)
	if deact["status"] != "DEPROVISIONED" {
		t.Fatalf("first delete: status %v", deact["status"])
	}
	if len(s.logEvents(start, "user.lifecycle.deactivate", id)) != 1 {
		t.Error("no user.lifecycle.deactivate event")
	}
	plain, _ := s.listAll("/api/v1/users")
	if slices.Contains(orgIDs(plain), id) {
		t.Error("deactivated user still in the plain list")
	}
	s.ctl("DELETE", "/_sim/resources/user/"+id, "", http.StatusNoContent)
	s.get("/api/v1/users/"+id, http.StatusNotFound)
	if slices.Contains(s.sim.GroundTruth().IDs[typeUser], id) {
		t.Error("deleted user still in the ground truth")
	}
	if len(s.logEvents(start, "user.lifecycle.delete.initiated", id)) != 1 {
		t.Error("no user.lifecycle.delete.initiated event")
	}
}

func TestOrgControlRelationsAndEvents(t *testing.T) {
	s := startOrgSim(t, nil)
	start := time.Now().Add(-time.Second)
	gt := s.sim.GroundTruth()
	user := gt.IDs[typeUser][0]

	grp := s.ctl("POST", "/_sim/resources/group", `{"profile":{"name":"Control group","description":"made by a test"}}`, http.StatusCreated)
	gid := grp["id"].(string)
	if len(s.logEvents(start, "group.lifecycle.create", gid)) != 1 {
		t.Error("no group.lifecycle.create event")
	}
	s.ctl("POST", "/_sim/resources/group_membership", `{"groupId":"`+gid+`","userId":"`+user+`"}`, http.StatusCreated)
	_, b := s.get("/api/v1/groups/"+gid+"?expand=stats", http.StatusOK)
	var g map[string]any
	_ = json.Unmarshal(b, &g)
	if n := g["_embedded"].(map[string]any)["stats"].(map[string]any)["usersCount"]; n != float64(1) {
		t.Errorf("usersCount after add = %v", n)
	}
	if g["lastMembershipUpdated"] == grp["lastMembershipUpdated"] {
		t.Error("lastMembershipUpdated did not move")
	}
	members, _ := s.list("/api/v1/groups/" + gid + "/users")
	if len(members) != 1 || members[0]["id"] != user {
		t.Errorf("members = %v", orgIDs(members))
	}
	if len(s.logEvents(start, "group.user_membership.add", gid)) != 1 {
		t.Error("no group.user_membership.add event")
	}
	if !slices.Contains(s.sim.GroundTruth().IDs[typeGroupMembership], gid+"/"+user) {
		t.Error("membership missing from the ground truth")
	}
	s.ctl("DELETE", "/_sim/resources/group_membership/"+gid+"/"+user, "", http.StatusNoContent)
	if len(s.logEvents(start, "group.user_membership.remove", gid)) != 1 {
		t.Error("no group.user_membership.remove event")
	}

	// App: create, assign the user, deactivate, delete.
	app := s.ctl("POST", "/_sim/resources/application", `{"label":"Control app","signOnMode":"SAML_2_0"}`, http.StatusCreated)
	aid := app["id"].(string)
	s.ctl("POST", "/_sim/resources/application_user", `{"appId":"`+aid+`","userId":"`+user+`"}`, http.StatusCreated)
	au, _ := s.list("/api/v1/apps/" + aid + "/users")
	if len(au) != 1 || au[0]["id"] != user || au[0]["scope"] != "USER" {
		t.Errorf("app users = %v", au)
	}
	s.ctl("PATCH", "/_sim/resources/application/"+aid, `{"status":"INACTIVE"}`, http.StatusOK)
	if len(s.logEvents(start, "application.lifecycle.deactivate", aid)) != 1 {
		t.Error("no application.lifecycle.deactivate event")
	}
	s.ctl("DELETE", "/_sim/resources/application/"+aid, "", http.StatusNoContent)
	after := s.sim.GroundTruth()
	if slices.Contains(after.IDs[typeApplication], aid) || slices.Contains(after.IDs[typeApplicationUser], aid+"/"+user) {
		t.Error("deleted app or its assignment still in the ground truth")
	}
	if len(s.logEvents(start, "application.lifecycle.delete", aid)) != 1 {
		t.Error("no application.lifecycle.delete event")
	}

	// Policy rule: update bumps lastUpdated; the event targets the policy.
	pols, _ := s.list("/api/v1/policies?type=PASSWORD")
	pid := pols[0]["id"].(string)
	rule := s.ctl("POST", "/_sim/resources/policy_rule", `{"policyId":"`+pid+`","name":"Control rule"}`, http.StatusCreated)
	if rule["type"] != "PASSWORD" || rule["name"] != "Control rule" {
		t.Errorf("rule = %v %v", rule["type"], rule["name"])
	}
	if len(s.logEvents(start, "policy.rule.add", pid)) != 1 {
		t.Error("no policy.rule.add event targeting the policy")
	}

	// Zone and API token.
	zone := s.ctl("POST", "/_sim/resources/network_zone", `{"name":"Test zone","type":"IP"}`, http.StatusCreated)
	if len(s.logEvents(start, "zone.create", zone["id"].(string))) != 1 {
		t.Error("no zone.create event")
	}
	tok := s.ctl("POST", "/_sim/resources/api_token", `{"userId":"`+user+`","name":"ci"}`, http.StatusCreated)
	s.ctl("DELETE", "/_sim/resources/api_token/"+tok["id"].(string), "", http.StatusNoContent)
	if len(s.logEvents(start, "system.api_token.revoke", tok["id"].(string))) != 1 {
		t.Error("no system.api_token.revoke event")
	}
	// Admin role grant.
	s.ctl("POST", "/_sim/resources/admin_role_assignment", `{"principalId":"`+user+`","type":"SUPER_ADMIN"}`, http.StatusCreated)
	if len(s.logEvents(start, "user.account.privilege.grant", user)) != 1 {
		t.Error("no user.account.privilege.grant event")
	}
}

func TestOrgControlErrorsNameTheField(t *testing.T) {
	s := startOrgSim(t, nil)
	cases := []struct {
		method, path, body string
		status             int
		mention            string
	}{
		{"POST", "/_sim/resources/widget", `{}`, 400, "type"},
		{"POST", "/_sim/resources/group_membership", `{"userId":"x"}`, 400, "groupId"},
		{"POST", "/_sim/resources/group_membership", `{"groupId":"00gNope","userId":"x"}`, 404, "groupId"},
		{"POST", "/_sim/resources/user", `{"status":"HAPPY"}`, 400, "status"},
		{"POST", "/_sim/resources/user", `not json`, 400, "body"},
		{"POST", "/_sim/resources/policy", `{"type":"BOGUS"}`, 400, "type"},
		{"PATCH", "/_sim/resources/user/00uNope", `{}`, 404, "id"},
		{"DELETE", "/_sim/resources/org/" + s.sim.GroundTruth().OrgID, ``, 400, "singleton"},
	}
	for _, c := range cases {
		out := s.ctl(c.method, c.path, c.body, c.status)
		if msg, _ := out["error"].(string); !strings.Contains(msg, c.mention) {
			t.Errorf("%s %s: error %q does not mention %q", c.method, c.path, msg, c.mention)
		}
	}
	classic := startOrgSim(t, func(o *Options) { o.Org.Engine = engineClassic })
	out := classic.ctl("POST", "/_sim/resources/policy", `{"type":"ACCESS_POLICY"}`, 400)
	if !strings.Contains(out["error"].(string), "classic") {
		t.Errorf("classic ACCESS_POLICY create: %v", out)
	}
}
