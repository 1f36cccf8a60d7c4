package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// compiledRule is a rule ready to evaluate: its OTTL parsed, its severity ranked.
type compiledRule struct {
	RuleConfig
	// ruleset is the pack name, or "user" for rules from the processor config.
	ruleset string
	// position is the index of the rule in its pack or in the processor's rules.
	position int
	severity severity
	// match is the slot (in the rule set's conditionTable) of the condition that selects the
	// records the rule applies to; noCondition means every record of its index keys.
	match int
	// condition is the slot of the condition that is true on a violation.
	condition int
	threshold *thresholdSpec
	aggregate *AggregateConfig
	// reference is the first reference, for security_rule.reference.
	reference string
	// header holds the attributes every finding of the rule starts with (newFindingHeader).
	header pcommon.Map
}

// label names the rule in errors: its id and ruleset, or its place in the processor's rules
// when it has no id.
func (r *compiledRule) label() string {
	if r.ID == "" && r.ruleset == userRuleset {
		return fmt.Sprintf("rules[%d] (user)", r.position)
	}
	return fmt.Sprintf("rule %q (%s)", r.ID, r.ruleset)
}

// isPosture reports whether the rule contributes to the failing-resources state (and the gauge).
func (r *compiledRule) isPosture() bool { return r.Category == categoryPosture }

// thresholdSpec is a compiled ThresholdConfig.
type thresholdSpec struct {
	ThresholdConfig
	// groupExpr is set when GroupBy is an OTTL value expression; otherwise GroupBy is an attribute key.
	groupExpr *ottl.ValueExpression[*ottllog.TransformContext]
}

// ruleSet is every enabled rule, compiled, plus the dispatch index over them and the table of
// their distinct OTTL conditions.
type ruleSet struct {
	rules      []*compiledRule
	index      *ruleIndex
	conditions *conditionTable
}

// newLogParser returns the OTTL parser used for every rule (ruleFunctions, path context names).
func newLogParser(set component.TelemetrySettings) (ottl.Parser[*ottllog.TransformContext], error) {
	return ottllog.NewParser(ruleFunctions(), set, ottllog.EnablePathContextNames())
}

// collectRules loads the selected packs (params substituted) and appends the user rules; it
// reports unknown packs, unknown params, duplicate ids and unknown ids in disable.
func collectRules(cfg *Config) ([]*compiledRule, error) {
	shipped, err := shippedPacks()
	if err != nil {
		return nil, err
	}
	var errs []error
	var selected []*pack
	for _, name := range cfg.Packs {
		p, ok := shipped[name]
		if !ok {
			names := packNames(shipped)
			errs = append(errs, fmt.Errorf("packs: unknown pack %q%s; shipped packs: %s", name, didYouMean(name, names), strings.Join(names, ", ")))
			continue
		}
		selected = append(selected, p)
	}
	params, err := resolveParams(selected, cfg.Params)
	if err != nil {
		errs = append(errs, err)
	}
	var out []*compiledRule
	if err == nil {
		for _, p := range selected {
			defs, err := expandPack(p, params)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for i, d := range defs {
				out = append(out, &compiledRule{RuleConfig: d, ruleset: p.header.Name, position: i})
			}
		}
	}
	for i, d := range cfg.Rules {
		out = append(out, &compiledRule{RuleConfig: d, ruleset: userRuleset, position: i})
	}
	seen := map[string]string{}
	for _, r := range out {
		if prev, dup := seen[r.ID]; dup && r.ID != "" {
			errs = append(errs, fmt.Errorf("rules: duplicate rule id %q (in %s and %s)", r.ID, prev, r.ruleset))
		}
		seen[r.ID] = r.ruleset
	}
	disabled := map[string]bool{}
	for _, id := range cfg.Disable {
		if _, ok := seen[id]; !ok {
			ids := make([]string, 0, len(seen))
			for known := range seen {
				ids = append(ids, known)
			}
			sort.Strings(ids)
			errs = append(errs, fmt.Errorf("disable: unknown rule id %q%s", id, didYouMean(id, ids)))
		}
		disabled[id] = true
	}
	enabled := out[:0]
	for _, r := range out {
		if !disabled[r.ID] {
			enabled = append(enabled, r)
		}
	}
	return enabled, errors.Join(errs...)
}

// compileRuleSet builds the rule set of a configuration: every OTTL expression is parsed and
// every rule validated; all problems are reported, each naming its rule id.
func compileRuleSet(cfg *Config, set component.TelemetrySettings) (*ruleSet, error) {
	rules, err := collectRules(cfg)
	if err != nil {
		return nil, err
	}
	parser, err := newLogParser(set)
	if err != nil {
		return nil, fmt.Errorf("create OTTL parser: %w", err)
	}
	var errs []error
	conds := newConditionTable()
	for _, r := range rules {
		for _, err := range compileRule(r, &parser, conds) {
			errs = append(errs, fmt.Errorf("%s: %w", r.label(), err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &ruleSet{rules: rules, index: buildIndex(rules, cfg.evaluateAll), conditions: conds}, nil
}

// compileRule validates one rule and parses its OTTL in place; its match and condition go to
// the rule set's condition table. It returns every problem of the rule.
func compileRule(r *compiledRule, parser *ottl.Parser[*ottllog.TransformContext], conds *conditionTable) []error {
	var errs []error
	if r.ID == "" {
		errs = append(errs, errors.New("id: must not be empty"))
	}
	if r.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	sev, ok := parseSeverity(r.Severity)
	if !ok {
		errs = append(errs, fmt.Errorf("severity: %q is not one of %s%s", r.Severity,
			strings.Join(severityNames[1:], ", "), didYouMean(r.Severity, severityNames[1:])))
	}
	r.severity = sev
	if r.Category != categoryPosture && r.Category != categoryDetection {
		cats := []string{categoryPosture, categoryDetection}
		errs = append(errs, fmt.Errorf("category: %q is not one of %s%s", r.Category, strings.Join(cats, ", "), didYouMean(r.Category, cats)))
	}
	r.match, r.condition = noCondition, noCondition
	if strings.TrimSpace(r.Condition) == "" {
		errs = append(errs, errors.New("condition: must not be empty"))
	} else if slot, err := conds.add(parser, r.Condition); err != nil {
		errs = append(errs, fmt.Errorf("condition: %w", err))
	} else {
		r.condition = slot
	}
	if strings.TrimSpace(r.Match) != "" {
		if slot, err := conds.add(parser, r.Match); err != nil {
			errs = append(errs, fmt.Errorf("match: %w", err))
		} else {
			r.match = slot
		}
	}
	if r.Threshold != nil {
		t, terrs := compileThreshold(*r.Threshold, parser)
		errs = append(errs, terrs...)
		r.threshold = t
	}
	if r.Aggregate != nil {
		errs = append(errs, validateAggregate(r)...)
		r.aggregate = r.Aggregate
	}
	if len(r.References) > 0 {
		r.reference = r.References[0]
	}
	if r.AppliesTo.empty() {
		r.AppliesTo = deriveAppliesTo(r.Match)
		for _, rt := range r.AppliesTo.ResourceTypes {
			if err := checkResourceType("match: okta.resource.type", rt); err != nil {
				errs = append(errs, err)
			}
		}
	} else {
		errs = append(errs, r.AppliesTo.validate()...)
	}
	r.header = newFindingHeader(r)
	return errs
}

func compileThreshold(t ThresholdConfig, parser *ottl.Parser[*ottllog.TransformContext]) (*thresholdSpec, []error) {
	var errs []error
	if err := thresholdCountRange.check("threshold.count", t.Count); err != nil {
		errs = append(errs, err)
	}
	if t.Window <= 0 {
		errs = append(errs, fmt.Errorf("threshold.window: must be positive, got %s", t.Window))
	}
	spec := &thresholdSpec{ThresholdConfig: t}
	if isOTTLPath(t.GroupBy) {
		e, err := parser.ParseValueExpression(t.GroupBy)
		if err != nil {
			errs = append(errs, fmt.Errorf("threshold.group_by: %w", err))
		}
		spec.groupExpr = e
	}
	return spec, errs
}

// isOTTLPath tells an OTTL expression (log.body["x"], resource.attributes["k"], Concat(...)) from a
// plain attribute key (client.address).
func isOTTLPath(s string) bool {
	return strings.HasPrefix(s, "log.") || strings.HasPrefix(s, "resource.") || strings.ContainsAny(s, "[(")
}

func validateAggregate(r *compiledRule) []error {
	var errs []error
	a := r.Aggregate
	if (a.Min == nil) == (a.Max == nil) {
		errs = append(errs, errors.New("aggregate: set exactly one of min, max"))
	}
	if a.Min != nil {
		if err := aggregateMinRange.check("aggregate.min", *a.Min); err != nil {
			errs = append(errs, err)
		}
	}
	if a.Max != nil {
		if err := aggregateMaxRange.check("aggregate.max", *a.Max); err != nil {
			errs = append(errs, err)
		}
	}
	if r.Category != categoryPosture {
		errs = append(errs, errors.New("aggregate: only posture rules can be aggregates"))
	}
	if r.Threshold != nil {
		errs = append(errs, errors.New("aggregate: cannot be combined with threshold"))
	}
	return errs
}

var (
	eventNameEq    = regexp.MustCompile(`^\s*log\.event_name\s*==\s*"([^"]+)"`)
	resourceTypeEq = regexp.MustCompile(`^\s*log\.attributes\["okta\.resource\.type"\]\s*==\s*"([^"]+)"`)
)

// deriveAppliesTo reads index keys from a match condition that starts with a simple equality on
// log.event_name or on the okta.resource.type attribute and contains no "or"; otherwise the
// rule gets no keys and lands in the fallback bucket (tried on every record).
func deriveAppliesTo(match string) AppliesTo {
	if strings.Contains(match, " or ") {
		return AppliesTo{}
	}
	if m := eventNameEq.FindStringSubmatch(match); m != nil {
		return AppliesTo{EventNames: []string{m[1]}}
	}
	if m := resourceTypeEq.FindStringSubmatch(match); m != nil {
		return AppliesTo{ResourceTypes: []string{m[1]}}
	}
	return AppliesTo{}
}

// validate checks the index keys a rule declares: known resource types, policy types only
// under policy or policy_rule (the index keys them by resource type), and event-name wildcards
// only where the index supports them.
func (a AppliesTo) validate() []error {
	var errs []error
	for _, rt := range a.ResourceTypes {
		if err := checkResourceType("applies_to.resource_types", rt); err != nil {
			errs = append(errs, err)
		}
	}
	if len(a.PolicyTypes) > 0 && !slices.Contains(a.ResourceTypes, "policy") && !slices.Contains(a.ResourceTypes, "policy_rule") {
		errs = append(errs, errors.New("applies_to.policy_types: needs resource_types policy or policy_rule (policy types are only matched under them)"))
	}
	for _, ev := range a.EventNames {
		if ev == "" {
			errs = append(errs, errors.New("applies_to.event_names: empty event name"))
			continue
		}
		if i := strings.IndexByte(ev, '*'); i >= 0 && ev != "*" && (i != len(ev)-1 || !strings.HasSuffix(ev, ".*")) {
			errs = append(errs, fmt.Errorf("applies_to.event_names: %q: a wildcard is only allowed alone (\"*\") or as a trailing \".*\"", ev))
		}
	}
	return errs
}

func (a AppliesTo) empty() bool {
	return len(a.ResourceTypes) == 0 && len(a.EventNames) == 0 && len(a.PolicyTypes) == 0
}
