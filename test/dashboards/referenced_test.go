package dashboards

import (
	"slices"
	"testing"
)

func TestReferencedMetrics(t *testing.T) {
	tests := map[string][]string{
		`sum by (okta_user_status) (okta_users{okta_org_url=~".+", okta_user_status!="DEPROVISIONED"})`:                                                         {"okta_users"},
		`max by (okta_org_url, okta_rate_limit_bucket) (okta_rate_limit_remaining) / max by (okta_org_url, okta_rate_limit_bucket) (okta_rate_limit_limit > 0)`: {"okta_rate_limit_limit", "okta_rate_limit_remaining"},
		`okta:rate_limit_remaining:ratio < 0.1`: {"okta:rate_limit_remaining:ratio"},
		`absent(up{job="otelcol-okta"})`:        {"up"},
		`sum(increase(okta_compliance_findings_total{security_rule_category="detection"}[$__range])) or vector(0)`: {"okta_compliance_findings_total"},
	}
	for expr, want := range tests {
		if got := referencedMetrics(expr); !slices.Equal(got, want) {
			t.Errorf("referencedMetrics(%s) = %v, want %v", expr, got, want)
		}
	}
}
