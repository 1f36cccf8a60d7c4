package rulesprocessor

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadatatest"
)

// countCandidates is the number of rules the index offers for keys.
func countCandidates(ix *ruleIndex, k recordKeys) int {
	return len(newCandidateMemo(ix).rules(k))
}

// TestDispatchEvaluatesOnlyApplicableRules checks, through the processor's own telemetry, that
// a record evaluates only the rules of its resource type (or event name).
func TestDispatchEvaluatesOnlyApplicableRules(t *testing.T) {
	f := loadFixtures(t, packPosture)
	det := loadFixtures(t, packDetections)
	cases := []struct {
		name   string
		rec    fixtureRecord
		expect func(r *compiledRule) bool
	}{
		{"user", f.resolve(t, fixtureRecord{Base: "user"}), func(r *compiledRule) bool { return contains(r.AppliesTo.ResourceTypes, "user") }},
		{"password policy", f.resolve(t, fixtureRecord{Base: "pw"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.ResourceTypes, "policy") && (len(r.AppliesTo.PolicyTypes) == 0 || contains(r.AppliesTo.PolicyTypes, "PASSWORD"))
		}},
		{"session start", det.resolve(t, fixtureRecord{Base: "ev", Event: "user.session.start"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.EventNames, "user.session.start") || contains(r.AppliesTo.EventNames, "*")
		}},
		{"idp event via prefix", det.resolve(t, fixtureRecord{Base: "ev", Event: "system.idp.lifecycle.update"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.EventNames, "system.idp.lifecycle.*") || contains(r.AppliesTo.EventNames, "*")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tt := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
			set := metadatatest.NewSettings(tt)
			p, err := newRulesProcessor(set, createDefaultConfig(), &consumertest.LogsSink{})
			require.NoError(t, err)
			want := 0
			for _, r := range p.rules.rules {
				if tc.expect(r) {
					want++
				}
			}
			require.Positive(t, want)
			require.Less(t, want, len(p.rules.rules)/4, "a record must see a small share of the packs")
			_, err = p.processLogs(context.Background(), buildLogs(t, []fixtureRecord{tc.rec}, p.now()))
			require.NoError(t, err)
			metadatatest.AssertEqualProcessorRulesEvaluations(t, tt, []metricdata.DataPoint[int64]{{
				Value:      int64(want),
				Attributes: attribute.NewSet(attribute.String("processor", set.ID.String())),
			}}, metricdatatest.IgnoreTimestamp())
		})
	}
}

// TestDispatchDisabledEvaluatesEverything is the control: without the index every rule is tried.
func TestDispatchDisabledEvaluatesEverything(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.evaluateAll = true
	rs, err := compileRuleSet(cfg, nopTelemetry())
	require.NoError(t, err)
	assert.Equal(t, len(rs.rules), countCandidates(rs.index, recordKeys{kind: kindInventory, resourceType: "user"}))
	on, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	assert.Less(t, countCandidates(on.index, recordKeys{kind: kindInventory, resourceType: "user"}), 10)
	assert.Zero(t, countCandidates(on.index, recordKeys{kind: kindSummary}))
}

// TestUserRuleKeysAreDerived puts a user rule with a simple match into its bucket, and one with
// a complex match into the fallback bucket.
func TestUserRuleKeysAreDerived(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Packs = nil
	cfg.Rules = []RuleConfig{
		{ID: "U-1", Name: "a", Severity: "low", Category: "detection", Match: `log.event_name == "user.session.start" and log.body["x"] == 1`, Condition: "true"},
		{ID: "U-2", Name: "b", Severity: "low", Category: "detection", Match: `log.event_name == "a" or log.event_name == "b"`, Condition: "true"},
	}
	rs, err := compileRuleSet(cfg, nopTelemetry())
	require.NoError(t, err)
	assert.Equal(t, 2, countCandidates(rs.index, recordKeys{kind: kindSystemLog, eventName: "user.session.start"}))
	assert.Equal(t, 1, countCandidates(rs.index, recordKeys{kind: kindSystemLog, eventName: "other"}), "fallback only")
	assert.Len(t, rs.index.fallback, 1)
	_ = metadata.Type
}

func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// TestCandidateMemoMatchesIndex checks that the remembered lists are the index's buckets in
// order, for every fixture record and for made-up keys, and that made-up event names beyond
// maxMemoKeys get correct lists without growing the memo.
func TestCandidateMemoMatchesIndex(t *testing.T) {
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	// Rules are compared by position in the rule set (ids are not unique across user rules).
	positions := func(rules []*compiledRule) []int {
		out := []int{}
		for _, r := range rules {
			out = append(out, slices.Index(rs.rules, r))
		}
		return out
	}
	flat := func(k recordKeys) []int {
		var out []*compiledRule
		for _, b := range rs.index.appendCandidates(nil, k) {
			out = append(out, b...)
		}
		return positions(out)
	}
	memo := newCandidateMemo(rs.index)
	var keys []recordKeys
	for _, ld := range allFixtureRecords(t) {
		forEachRecord(ld, func(lr plog.LogRecord) {
			if k, ok := recordKeysOf(lr); ok {
				keys = append(keys, k)
			}
		})
	}
	keys = append(keys,
		recordKeys{kind: kindInventory, resourceType: "policy", policyType: "NOT_A_TYPE"},
		recordKeys{kind: kindInventory, resourceType: "not_a_type"},
		recordKeys{kind: kindSystemLog, eventName: "system.client.rate_limit.notification"},
		recordKeys{kind: kindSystemLog, eventName: ""},
		recordKeys{kind: "something_else"},
	)
	for _, k := range keys {
		want := flat(k)
		require.Equal(t, want, positions(memo.rules(k)), "first lookup of %+v", k)
		require.Equal(t, want, positions(memo.rules(k)), "remembered list of %+v", k)
	}
	remembered := len(memo.events) + len(memo.inventory)
	require.Positive(t, remembered)
	for i := 0; len(memo.events)+len(memo.inventory) < maxMemoKeys; i++ {
		memo.rules(recordKeys{kind: kindSystemLog, eventName: fmt.Sprintf("made.up.%d", i)})
	}
	for _, k := range []recordKeys{
		{kind: kindSystemLog, eventName: "system.idp.lifecycle.made_up"},
		{kind: kindSystemLog, eventName: "made.up.beyond"},
		{kind: kindInventory, resourceType: "policy", policyType: "MADE_UP"},
	} {
		require.Equal(t, flat(k), positions(memo.rules(k)), "list of %+v with the memo full", k)
	}
	assert.Equal(t, maxMemoKeys, len(memo.events)+len(memo.inventory))
}
