package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

const simToken = "e2e-test-token"

// simulator is a running oktasim binary with its control API enabled.
type simulator struct {
	*process
	url string
}

// startSimulator runs oktasim on a free loopback port with the control API on.
func startSimulator(t testing.TB, args ...string) *simulator {
	t.Helper()
	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	all := append([]string{"--addr", "127.0.0.1:" + strconv.Itoa(port), "--control", "--token", simToken}, args...)
	p := startProcess(t, "oktasim", simBin, nil, all...)
	waitHTTP(t, p, url+"/.well-known/okta-organization", 30*time.Second)
	return &simulator{process: p, url: url}
}

// groundTruth is the subset of oktasim's /_sim/groundtruth the tests read.
type groundTruth struct {
	OrgID  string              `json:"orgId"`
	Engine string              `json:"engine"`
	IDs    map[string][]string `json:"ids"`
	Counts struct {
		UsersByStatus             map[string]int `json:"usersByStatus"`
		GroupsByType              map[string]int `json:"groupsByType"`
		GroupMembers              map[string]int `json:"groupMembers"`
		GroupRulesByStatus        map[string]int `json:"groupRulesByStatus"`
		AppsByStatusAndSignOnMode map[string]int `json:"appsByStatusAndSignOnMode"`
		UsersPerApp               map[string]int `json:"usersPerApp"`
		GroupsPerApp              map[string]int `json:"groupsPerApp"`
		PoliciesByTypeAndStatus   map[string]int `json:"policiesByTypeAndStatus"`
		RulesPerPolicy            map[string]int `json:"rulesPerPolicy"`
		FactorsByTypeAndStatus    map[string]int `json:"factorsByTypeAndStatus"`
		AdminAssignmentsByRole    map[string]int `json:"adminAssignmentsByRole"`
	} `json:"counts"`
}

func (s *simulator) groundTruth(t testing.TB) groundTruth {
	t.Helper()
	var gt groundTruth
	s.getJSON(t, "/_sim/groundtruth", &gt)
	return gt
}

// getJSON GETs a control-API path and decodes its JSON body into out.
func (s *simulator) getJSON(t testing.TB, path string, out any) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	mustf(t, err, "GET %s", path)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	mustf(t, json.NewDecoder(resp.Body).Decode(out), "decode %s", path)
}

// stats returns oktasim's /_sim/stats document.
func (s *simulator) stats(t testing.TB) map[string]any {
	t.Helper()
	var st map[string]any
	s.getJSON(t, "/_sim/stats", &st)
	return st
}

func (s *simulator) String() string { return fmt.Sprintf("oktasim at %s", s.url) }
