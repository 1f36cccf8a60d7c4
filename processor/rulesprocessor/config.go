package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/component"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
)

// Config is the user-facing configuration of the rules processor.
type Config struct {
	// Packs lists the shipped rule packs to load (default: okta-posture, okta-detections).
	Packs []string `mapstructure:"packs"`
	// Disable lists rule ids (from packs or user rules) that are not evaluated.
	Disable []string `mapstructure:"disable"`
	// Params overrides pack parameters (e.g. min_password_length: 15). Unknown keys are an error.
	Params map[string]any `mapstructure:"params"`
	// Rules are user-defined rules, evaluated next to the packs.
	Rules []RuleConfig `mapstructure:"rules"`
	// ErrorMode decides what an OTTL evaluation error does: propagate (the batch fails),
	// ignore (counted and logged at debug level, the rule counts as not matched) or silent (counted only).
	ErrorMode ottl.ErrorMode `mapstructure:"error_mode"`
	// EmitFindings appends one okta.compliance.finding record per violation.
	EmitFindings bool `mapstructure:"emit_findings"`
	// TagRecords sets compliance.status / compliance.failed_rules / compliance.max_severity on evaluated records.
	TagRecords bool `mapstructure:"tag_records"`
	// Summary configures the periodic okta.compliance.summary records (failing resources per posture rule).
	Summary SummaryConfig `mapstructure:"summary"`
	// MaxThresholdKeys caps the number of group keys kept per threshold rule; the least recently seen key is evicted.
	MaxThresholdKeys int `mapstructure:"max_threshold_keys"`

	// evaluateAll disables the dispatch index (every rule is tried on every record); benchmarks only.
	evaluateAll bool
	// decodeErrs are the unknown keys and unrepresentable numbers Unmarshal found.
	decodeErrs []error
}

// SummaryConfig configures the compliance summary records that feed the failing-resources gauge.
type SummaryConfig struct {
	// Enabled turns the periodic summary (and the aggregate-rule evaluation) on.
	Enabled bool `mapstructure:"enabled"`
	// Interval between two summaries; it is also the quiet period after the last snapshot record
	// of an org after which its full sync is considered complete.
	Interval time.Duration `mapstructure:"interval"`
}

// RuleConfig is one rule, as written by users in `rules:` or shipped in a pack.
type RuleConfig struct {
	ID          string   `mapstructure:"id" yaml:"id"`
	Name        string   `mapstructure:"name" yaml:"name"`
	Severity    string   `mapstructure:"severity" yaml:"severity"`
	Category    string   `mapstructure:"category" yaml:"category"`
	Match       string   `mapstructure:"match" yaml:"match"`
	Condition   string   `mapstructure:"condition" yaml:"condition"`
	Remediation string   `mapstructure:"remediation" yaml:"remediation"`
	References  []string `mapstructure:"references" yaml:"references"`
	// AppliesTo declares the index keys of the rule; when empty they are derived from a simple match.
	AppliesTo AppliesTo `mapstructure:"applies_to" yaml:"applies_to"`
	// Threshold makes the rule stateful: a finding when Count matching records occur within Window per group.
	Threshold *ThresholdConfig `mapstructure:"threshold" yaml:"threshold"`
	// Aggregate makes the rule an org-wide count: records for which match and condition hold are
	// counted; the org fails when the count is below Min or above Max.
	Aggregate *AggregateConfig `mapstructure:"aggregate" yaml:"aggregate"`
}

// AppliesTo lists the record keys a rule can apply to. A rule with no keys is tried on every record.
type AppliesTo struct {
	ResourceTypes []string `mapstructure:"resource_types" yaml:"resource_types"`
	PolicyTypes   []string `mapstructure:"policy_types" yaml:"policy_types"`
	// EventNames are System Log event types; a trailing ".*" matches a prefix (system.idp.lifecycle.*).
	EventNames []string `mapstructure:"event_names" yaml:"event_names"`
}

// ThresholdConfig turns a detection into a sliding-window count.
type ThresholdConfig struct {
	Count  int           `mapstructure:"count" yaml:"count"`
	Window time.Duration `mapstructure:"window" yaml:"window"`
	// GroupBy is an OTTL value expression (log.body["actor"]["id"]) or a plain attribute key (client.address).
	GroupBy string `mapstructure:"group_by" yaml:"group_by"`
}

// AggregateConfig bounds the number of records of an org that satisfy a rule.
type AggregateConfig struct {
	Min *int `mapstructure:"min" yaml:"min"`
	Max *int `mapstructure:"max" yaml:"max"`
}

func createDefaultConfig() *Config {
	return &Config{
		Packs:            []string{packPosture, packDetections},
		ErrorMode:        ottl.IgnoreError,
		EmitFindings:     true,
		TagRecords:       true,
		Summary:          SummaryConfig{Enabled: true, Interval: time.Minute},
		MaxThresholdKeys: 10000,
	}
}

// minSummaryInterval bounds summary.interval from below: each summary is one record per posture
// rule and org, and the interval is also the quiet period that ends a full sync.
const minSummaryInterval = time.Second

// intRange is the allowed range of an integer setting.
type intRange struct{ min, max int }

var (
	// maxThresholdKeysRange bounds the group keys kept per threshold rule (memory).
	maxThresholdKeysRange = intRange{1, 1_000_000}
	// thresholdCountRange bounds threshold.count: a group keeps up to count event times, so a
	// threshold rule holds at most max_threshold_keys × count of them.
	thresholdCountRange = intRange{1, 1000}
	aggregateMinRange   = intRange{1, math.MaxInt32}
	aggregateMaxRange   = intRange{0, math.MaxInt32}
)

// intRangeOf returns the range of the integer setting at path (as named by checkBlock).
func intRangeOf(path string) (intRange, bool) {
	switch {
	case path == "max_threshold_keys":
		return maxThresholdKeysRange, true
	case strings.HasSuffix(path, ".threshold.count"):
		return thresholdCountRange, true
	case strings.HasSuffix(path, ".aggregate.min"):
		return aggregateMinRange, true
	case strings.HasSuffix(path, ".aggregate.max"):
		return aggregateMaxRange, true
	}
	return intRange{}, false
}

// check reports v outside the range, naming the setting.
func (r intRange) check(name string, v int) error {
	if v >= r.min && v <= r.max {
		return nil
	}
	return r.error(name, strconv.Itoa(v))
}

func (r intRange) error(name, got string) error {
	return fmt.Errorf("%s: must be an integer from %d to %d, got %s", name, r.min, r.max, got)
}

// Validate checks the whole configuration, including parsing every OTTL expression of the
// selected packs and of the user rules, and reports every problem it finds, each once.
func (cfg *Config) Validate() error {
	if len(cfg.decodeErrs) > 0 {
		return errors.Join(cfg.decodeErrs...)
	}
	var errs []error
	if cfg.Summary.Enabled && cfg.Summary.Interval < minSummaryInterval {
		errs = append(errs, fmt.Errorf("summary.interval: must be at least %s, got %s", minSummaryInterval, cfg.Summary.Interval))
	}
	if err := maxThresholdKeysRange.check("max_threshold_keys", cfg.MaxThresholdKeys); err != nil {
		errs = append(errs, err)
	}
	if _, err := compileRuleSet(cfg, nopTelemetry()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// nopTelemetry is used to parse OTTL during Validate, where no component settings exist yet.
func nopTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{
		Logger:         zap.NewNop(),
		TracerProvider: nooptrace.NewTracerProvider(),
		MeterProvider:  noopmetric.NewMeterProvider(),
	}
}
