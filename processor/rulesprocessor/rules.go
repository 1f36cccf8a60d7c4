package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// compiledRule is a rule ready to evaluate: its OTTL parsed, its severity ranked.
type compiledRule struct {
	RuleConfig
	// ruleset is the pack name, or "user" for rules from the processor config.
	ruleset  string
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

// newLogParser returns the OTTL parser used for every rule (standard converters, path context names).
func newLogParser(set component.TelemetrySettings) (ottl.Parser[*ottllog.TransformContext], error) {
	return ottllog.NewParser(ottlfuncs.StandardConverters[*ottllog.TransformContext](), set, ottllog.EnablePathContextNames())
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
			errs = append(errs, fmt.Errorf("packs: unknown pack %q (shipped packs: %s)", name, strings.Join(packNames(shipped), ", ")))
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
			for _, d := range defs {
				out = append(out, &compiledRule{RuleConfig: d, ruleset: p.header.Name})
			}
		}
	}
	for _, d := range cfg.Rules {
		out = append(out, &compiledRule{RuleConfig: d, ruleset: userRuleset})
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
			errs = append(errs, fmt.Errorf("disable: unknown rule id %q", id))
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
		if err := compileRule(r, &parser, conds); err != nil {
			errs = append(errs, fmt.Errorf("rule %q (%s): %w", r.ID, r.ruleset, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &ruleSet{rules: rules, index: buildIndex(rules, cfg.evaluateAll), conditions: conds}, nil
}

// compileRule validates one rule and parses its OTTL in place; its match and condition go to
// the rule set's condition table.
func compileRule(r *compiledRule, parser *ottl.Parser[*ottllog.TransformContext], conds *conditionTable) error {
	var errs []error
	if r.ID == "" {
		errs = append(errs, errors.New("id: must not be empty"))
	}
	if r.Name == "" {
		errs = append(errs, errors.New("name: must not be empty"))
	}
	sev, ok := parseSeverity(r.Severity)
	if !ok {
		errs = append(errs, fmt.Errorf("severity: %q is not one of info, low, medium, high, critical", r.Severity))
	}
	r.severity = sev
	if r.Category != categoryPosture && r.Category != categoryDetection {
		errs = append(errs, fmt.Errorf("category: %q is not one of posture, detection", r.Category))
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
		t, err := compileThreshold(*r.Threshold, parser)
		if err != nil {
			errs = append(errs, err)
		}
		r.threshold = t
	}
	if r.Aggregate != nil {
		if err := validateAggregate(r); err != nil {
			errs = append(errs, err)
		}
		r.aggregate = r.Aggregate
	}
	if len(r.References) > 0 {
		r.reference = r.References[0]
	}
	if r.AppliesTo.empty() {
		r.AppliesTo = deriveAppliesTo(r.Match)
	}
	r.header = newFindingHeader(r)
	return errors.Join(errs...)
}

func compileThreshold(t ThresholdConfig, parser *ottl.Parser[*ottllog.TransformContext]) (*thresholdSpec, error) {
	var errs []error
	if t.Count < 1 {
		errs = append(errs, fmt.Errorf("threshold.count: must be at least 1, got %d", t.Count))
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
	return spec, errors.Join(errs...)
}

// isOTTLPath tells an OTTL expression (log.body["x"], resource.attributes["k"], Concat(...)) from a
// plain attribute key (client.address).
func isOTTLPath(s string) bool {
	return strings.HasPrefix(s, "log.") || strings.HasPrefix(s, "resource.") || strings.ContainsAny(s, "[(")
}

func validateAggregate(r *compiledRule) error {
	var errs []error
	a := r.Aggregate
	if (a.Min == nil) == (a.Max == nil) {
		errs = append(errs, errors.New("aggregate: set exactly one of min, max"))
	}
	if a.Min != nil && *a.Min < 1 {
		errs = append(errs, fmt.Errorf("aggregate.min: must be at least 1, got %d", *a.Min))
	}
	if a.Max != nil && *a.Max < 0 {
		errs = append(errs, fmt.Errorf("aggregate.max: must not be negative, got %d", *a.Max))
	}
	if r.Category != categoryPosture {
		errs = append(errs, errors.New("aggregate: only posture rules can be aggregates"))
	}
	if r.Threshold != nil {
		errs = append(errs, errors.New("aggregate: cannot be combined with threshold"))
	}
	return errors.Join(errs...)
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

func (a AppliesTo) empty() bool {
	return len(a.ResourceTypes) == 0 && len(a.EventNames) == 0 && len(a.PolicyTypes) == 0
}
