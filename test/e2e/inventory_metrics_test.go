package e2e

import (
	"fmt"
	"strings"
)

// metricExpectation ties one ground-truth count map to the Prometheus metric
// that must carry it. Composite ground-truth keys ("ACTIVE/SAML_2_0") are
// split on "/" into the labels, in order.
type metricExpectation struct {
	metric string
	labels []string
	want   map[string]int
}

func inventoryExpectations(gt groundTruth) []metricExpectation {
	c := gt.Counts
	return []metricExpectation{
		{"okta_users", []string{"okta_user_status"}, c.UsersByStatus},
		{"okta_groups", []string{"okta_group_type"}, c.GroupsByType},
		{"okta_group_members", []string{"okta_group_id"}, c.GroupMembers},
		{"okta_group_rules", []string{"okta_group_rule_status"}, c.GroupRulesByStatus},
		{"okta_applications", []string{"okta_application_status", "okta_application_sign_on_mode"}, c.AppsByStatusAndSignOnMode},
		{"okta_application_users", []string{"okta_application_id"}, c.UsersPerApp},
		{"okta_application_groups", []string{"okta_application_id"}, c.GroupsPerApp},
		{"okta_policies", []string{"okta_policy_type", "okta_policy_status"}, c.PoliciesByTypeAndStatus},
		{"okta_policy_rules", []string{"okta_policy_id"}, c.RulesPerPolicy},
		{"okta_factors", []string{"okta_factor_type", "okta_factor_status"}, c.FactorsByTypeAndStatus},
		{"okta_admin_assignments", []string{"okta_admin_role"}, c.AdminAssignmentsByRole},
	}
}

// compareInventoryMetrics returns one line per difference between the
// scraped inventory metrics and the ground truth: a missing or wrong value for
// a ground-truth key, or a non-zero series the ground truth does not have.
func compareInventoryMetrics(gt groundTruth, samples []promSample) []string {
	var diffs []string
	for _, e := range inventoryExpectations(gt) {
		got := map[string]float64{}
		for _, s := range promFind(samples, e.metric, nil) {
			parts := make([]string, len(e.labels))
			for i, l := range e.labels {
				parts[i] = s.Labels[l]
			}
			got[strings.Join(parts, "/")] += s.Value
		}
		for key, want := range e.want {
			v, ok := got[key]
			switch {
			case !ok && want != 0:
				diffs = append(diffs, fmt.Sprintf("%s{%s}: missing, ground truth %d", e.metric, key, want))
			case ok && int(v) != want:
				diffs = append(diffs, fmt.Sprintf("%s{%s}: %v, ground truth %d", e.metric, key, v, want))
			}
		}
		for key, v := range got {
			if _, ok := e.want[key]; !ok && v != 0 {
				diffs = append(diffs, fmt.Sprintf("%s{%s}: %v, not in the ground truth", e.metric, key, v))
			}
		}
	}
	return diffs
}
