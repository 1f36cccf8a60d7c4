package oktasim

import (
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOrgGroundTruthMatchesTheAPI lists every resource type through the
// API, the way a collector would, and compares the ids with the ground truth.
func TestOrgGroundTruthMatchesTheAPI(t *testing.T) {
	s := startOrgSim(t, nil)
	gt := s.sim.GroundTruth()
	got := map[string][]string{}
	add := func(typ string, ids ...string) { got[typ] = append(got[typ], ids...) }
	listIDs := func(path string) []string {
		objs, _ := s.listAll(path)
		return orgIDs(objs)
	}

	plain := listIDs("/api/v1/users")
	add(typeUser, plain...)
	add(typeUser, listIDs("/api/v1/users?search="+url.QueryEscape(`status eq "DEPROVISIONED"`))...)
	groups := listIDs("/api/v1/groups?limit=13")
	add(typeGroup, groups...)
	for _, g := range groups {
		for _, u := range listIDs("/api/v1/groups/" + g + "/users?limit=50") {
			add(typeGroupMembership, g+"/"+u)
		}
		roles, _ := s.list("/api/v1/groups/" + g + "/roles")
		for _, r := range roles {
			add(typeAdminRole, g+"/"+r["id"].(string))
		}
	}
	add(typeGroupRule, listIDs("/api/v1/groups/rules?limit=2")...)
	apps := listIDs("/api/v1/apps?limit=7")
	add(typeApplication, apps...)
	for _, a := range apps {
		for _, u := range listIDs("/api/v1/apps/" + a + "/users?limit=30") {
			add(typeApplicationUser, a+"/"+u)
		}
		for _, g := range listIDs("/api/v1/apps/" + a + "/groups?limit=3") {
			add(typeApplicationGroup, a+"/"+g)
		}
	}
	for _, pt := range append(append([]string{}, classicPolicyTypes...), oieOnlyPolicyTypes...) {
		pols := listIDs("/api/v1/policies?type=" + pt)
		add(typePolicy, pols...)
		for _, p := range pols {
			add(typePolicyRule, listIDs("/api/v1/policies/"+p+"/rules")...)
		}
	}
	var admins []string
	assignees := "/api/v1/iam/assignees/users?limit=3"
	for assignees != "" {
		var body struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			Links struct {
				Next struct {
					Href string `json:"href"`
				} `json:"next"`
			} `json:"_links"`
		}
		_, b := s.get(assignees, http.StatusOK)
		orgDecode(t, b, &body)
		for _, v := range body.Value {
			admins = append(admins, v.ID)
		}
		assignees = body.Links.Next.Href
	}
	for _, u := range append(plain, listIDs("/api/v1/users?filter="+url.QueryEscape(`status eq "DEPROVISIONED"`))...) {
		add(typeUserFactor, listIDs("/api/v1/users/"+u+"/factors")...)
	}
	for _, u := range admins {
		roles, _ := s.list("/api/v1/users/" + u + "/roles")
		for _, r := range roles {
			add(typeAdminRole, u+"/"+r["id"].(string))
		}
	}
	flat := map[string]string{
		typeAuthenticator: "/api/v1/authenticators", typeAuthServer: "/api/v1/authorizationServers?limit=1",
		typeIdentityProvider: "/api/v1/idps?limit=1", typeNetworkZone: "/api/v1/zones",
		typeTrustedOrigin: "/api/v1/trustedOrigins?limit=1", typeUserType: "/api/v1/meta/types/user",
		typeAPIToken: "/api/v1/api-tokens", typeEventHook: "/api/v1/eventHooks",
		typeLogStream: "/api/v1/logStreams?limit=1", typeFeature: "/api/v1/features",
	}
	for typ, path := range flat {
		add(typ, listIDs(path)...)
	}
	for _, typ := range []string{typeOrg, typeOktaSupport, typeThreatInsight} {
		add(typ, gt.OrgID) // singletons: checked to be served below
	}
	_, b := s.get("/api/v1/org", http.StatusOK)
	if !strings.Contains(string(b), `"id":"`+gt.OrgID+`"`) {
		t.Errorf("/api/v1/org does not carry the org id %s", gt.OrgID)
	}

	for _, typ := range resourceTypes {
		want := slices.Clone(gt.IDs[typ])
		have := slices.Clone(got[typ])
		slices.Sort(want)
		slices.Sort(have)
		if len(want) == 0 && typ != typeAuthenticator {
			t.Errorf("%s: the generated org has none", typ)
		}
		if !reflect.DeepEqual(want, have) {
			t.Errorf("%s: API listed %d ids, ground truth has %d (first API %v, first truth %v)",
				typ, len(have), len(want), orgHead(have), orgHead(want))
		}
	}

	// GET /_sim/groundtruth serves the same data.
	var served GroundTruth
	_, b = s.get("/_sim/groundtruth", http.StatusOK)
	orgDecode(t, b, &served)
	if !reflect.DeepEqual(served, gt) {
		t.Error("GET /_sim/groundtruth differs from Server.GroundTruth()")
	}
}

func orgHead(ids []string) []string { return ids[:min(3, len(ids))] }

// TestOrgGeneratorMix checks the realistic mix the issue asks for and that
// the generator is deterministic.
func TestOrgGeneratorMix(t *testing.T) {
	opts := orgTestOptions().Org
	a, err := newOrgStore(opts, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newOrgStore(opts, time.Now)
	ga, gb := a.groundTruth(), b.groundTruth()
	if !reflect.DeepEqual(ga, gb) {
		t.Fatal("two orgs from the same options differ")
	}
	opts.Seed++
	c, _ := newOrgStore(opts, time.Now)
	if reflect.DeepEqual(ga.IDs[typeUser], c.groundTruth().IDs[typeUser]) {
		t.Fatal("a different seed produced the same users")
	}
	for _, st := range userStatuses {
		if ga.Counts.UsersByStatus[st] == 0 {
			t.Errorf("no %s user", st)
		}
	}
	if ga.Counts.AdminAssignmentsByRole["SUPER_ADMIN"] < 3 {
		t.Errorf("%d SUPER_ADMIN assignments, want several", ga.Counts.AdminAssignmentsByRole["SUPER_ADMIN"])
	}
	if ga.Counts.GroupRulesByStatus["INACTIVE"] == 0 {
		t.Error("no inactive group rule")
	}
	factorTypesSeen := map[string]bool{}
	for k := range ga.Counts.FactorsByTypeAndStatus {
		factorTypesSeen[strings.Split(k, "/")[0]] = true
	}
	if len(factorTypesSeen) < 5 {
		t.Errorf("only %d factor types: %v", len(factorTypesSeen), factorTypesSeen)
	}
	zones := map[string]bool{}
	a.mu.RLock()
	for _, z := range a.cols[typeNetworkZone].items {
		zones[z.kind] = true
		m := a.decodeObject(typeNetworkZone, z)
		zones[m["usage"].(string)] = true
	}
	a.mu.RUnlock()
	for _, want := range []string{"IP", "DYNAMIC_V2", "BLOCKLIST", "POLICY"} {
		if !zones[want] {
			t.Errorf("no %s zone", want)
		}
	}
}

// TestOrgDefaultStartsSmall: the default org (500 users) is generated
// quickly enough for a demo; this only checks it is generated, timing is
// the benchmarks' job.
func TestOrgDefaultOptionsGenerate(t *testing.T) {
	o, err := newOrgStore(DefaultOrgOptions(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(o.groundTruth().IDs[typeUser]); n != 500 {
		t.Fatalf("default org has %d users", n)
	}
	bad := DefaultOrgOptions()
	bad.Engine, bad.Users = "quantum", 0
	if _, err := newOrgStore(bad, time.Now); err == nil || !strings.Contains(err.Error(), "engine") || !strings.Contains(err.Error(), "users") {
		t.Fatalf("bad options: %v, want errors naming engine and users", err)
	}
}
