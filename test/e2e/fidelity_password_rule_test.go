package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// passwordRuleConfig: okta (inventory only) → rules (the shipped packs, default
// parameters) → file exporter (fileExporterTail with the processor added to its pipeline).
var passwordRuleConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    system_log:
      enabled: false
processors:
  rules:
` + strings.Replace(fileExporterTail, pipelineReceivers, pipelineReceivers+"      processors: [rules]\n", 1)

// pipelineReceivers is the receivers line of fileExporterTail's logs pipeline.
const pipelineReceivers = "      receivers: [okta]\n"

// passwordLengthRule is the okta-posture rule on a PASSWORD policy's minimum length; its
// min_password_length parameter defaults to 15.
const passwordLengthRule = "OKTA-POS-001"

// TestFidelityPasswordLengthRuleFires runs the real simulator and collector: the org's
// PASSWORD policies are set, through the simulator's control API, to a minimum length of 9
// (below the rules pack's default of 15) and 20 (above it). The weak policy's record must
// arrive with settings.password.complexity.minLength = 9 as Okta sent it, and the rules
// processor must raise the password-length finding for it and not for the strong one.
func TestFidelityPasswordLengthRuleFires(t *testing.T) {
	if !strings.Contains(passwordRuleConfig, "processors: [rules]") {
		t.Fatal("fileExporterTail has no logs pipeline receivers line to add the rules processor to")
	}
	sim := startSimulator(t, "--users", "30", "--groups", "6", "--apps", "4", "--events-per-sec", "0")
	var policies []map[string]any
	simAPIGet(t, sim, "/api/v1/policies?type=PASSWORD", &policies)
	if len(policies) < 2 {
		t.Fatalf("the simulated org has %d PASSWORD policies, want at least 2", len(policies))
	}
	weak, strong := policies[0]["id"].(string), policies[1]["id"].(string)
	setMinLength(t, sim, weak, 9)
	setMinLength(t, sim, strong, 20)

	dir := t.TempDir()
	health := freePort(t)
	startCollector(t, dir, render(passwordRuleConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health),
	}), health)

	// Wait until the finding for the weak policy and the tagged records of both policies
	// have been written; the processor tags a record and writes its findings in one batch.
	var recs []record
	ok := waitFor(context.Background(), 90*time.Second, 250*time.Millisecond, func() bool {
		var err error
		recs, err = readRecords(filepath.Join(dir, "records.jsonl"))
		if err != nil {
			return false
		}
		return findingFor(recs, passwordLengthRule, weak) != nil &&
			policySnapshot(recs, weak) != nil && policySnapshot(recs, strong) != nil
	})
	if !ok {
		t.Fatalf("within 90 s: finding %s for policy %s %v, snapshot of %s %v, snapshot of %s %v (%d records)",
			passwordLengthRule, weak, findingFor(recs, passwordLengthRule, weak) != nil,
			weak, policySnapshot(recs, weak) != nil, strong, policySnapshot(recs, strong) != nil, len(recs))
	}

	weakRec := policySnapshot(recs, weak)
	if got := bodyInt(weakRec.Body, "settings", "password", "complexity", "minLength"); got != 9 {
		t.Errorf("policy %s arrived with minLength %v, the simulator served 9", weak, got)
	}
	if !slices.Contains(failedRules(*weakRec), passwordLengthRule) {
		t.Errorf("policy %s is not tagged with %s: %v", weak, passwordLengthRule, failedRules(*weakRec))
	}
	strongRec := policySnapshot(recs, strong)
	if got := bodyInt(strongRec.Body, "settings", "password", "complexity", "minLength"); got != 20 {
		t.Errorf("policy %s arrived with minLength %v, the simulator served 20", strong, got)
	}
	if slices.Contains(failedRules(*strongRec), passwordLengthRule) || findingFor(recs, passwordLengthRule, strong) != nil {
		t.Errorf("policy %s requires 20 characters; %s must not fire for it", strong, passwordLengthRule)
	}
	f := findingFor(recs, passwordLengthRule, weak)
	if f.attr("okta.resource.type") != "policy" || f.attr("okta.policy.type") != "PASSWORD" || f.attr("log.record.uid") == "" {
		t.Errorf("finding attributes: type %q, policy type %q, uid %q", f.attr("okta.resource.type"), f.attr("okta.policy.type"), f.attr("log.record.uid"))
	}
}

// simAPIGet reads an Okta API path of the simulator with the test token.
func simAPIGet(t *testing.T, sim *simulator, path string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, sim.url+path, nil)
	mustf(t, err, "GET %s", path)
	req.Header.Set("Authorization", "SSWS "+simToken)
	resp, err := http.DefaultClient.Do(req)
	mustf(t, err, "GET %s", path)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	mustf(t, json.NewDecoder(resp.Body).Decode(out), "decode %s", path)
}

// setMinLength sets a PASSWORD policy's minimum length through the control API (a JSON
// merge patch of the policy).
func setMinLength(t *testing.T, sim *simulator, policyID string, n int) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"settings": map[string]any{"password": map[string]any{"complexity": map[string]any{"minLength": n}}}})
	mustf(t, err, "encode patch")
	req, err := http.NewRequest(http.MethodPatch, sim.url+"/_sim/resources/policy/"+policyID, bytes.NewReader(body))
	mustf(t, err, "PATCH policy")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	mustf(t, err, "PATCH policy %s", policyID)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH policy %s: status %d", policyID, resp.StatusCode)
	}
}

// findingFor returns the finding of rule for resource id, or nil.
func findingFor(recs []record, rule, id string) *record {
	for i, r := range recs {
		if r.EventName == "okta.compliance.finding" && r.attr("security_rule.uuid") == rule && r.attr("okta.resource.id") == id {
			return &recs[i]
		}
	}
	return nil
}

// policySnapshot returns the snapshot record of policy id, or nil.
func policySnapshot(recs []record, id string) *record {
	for i, r := range recs {
		if r.EventName == "okta.inventory.snapshot" && r.attr("okta.resource.type") == "policy" && r.attr("okta.resource.id") == id {
			return &recs[i]
		}
	}
	return nil
}

// failedRules returns the compliance.failed_rules tag of an evaluated record.
func failedRules(r record) []string {
	v, ok := r.Attrs.Get("compliance.failed_rules")
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return nil
	}
	var out []string
	for _, e := range v.Slice().All() {
		out = append(out, e.Str())
	}
	return out
}

// bodyInt returns the integer at path in a record body, or nil when absent or not an integer.
func bodyInt(body pcommon.Value, path ...string) any {
	cur := body
	for _, k := range path {
		if cur.Type() != pcommon.ValueTypeMap {
			return nil
		}
		next, ok := cur.Map().Get(k)
		if !ok {
			return nil
		}
		cur = next
	}
	if cur.Type() != pcommon.ValueTypeInt {
		return cur.AsRaw()
	}
	return int(cur.Int())
}
