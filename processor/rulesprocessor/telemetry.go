package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

// telemetry records the processor's own metrics, once per batch (never per record).
type telemetry struct {
	builder *metadata.TelemetryBuilder
	attrs   metric.MeasurementOption
}

// batchCounts are the counts of one batch (or one flush).
type batchCounts struct {
	evaluations int64
	errors      int64
	violations  int64
	findings    int64
}

func newTelemetry(set processor.Settings) (*telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &telemetry{
		builder: b,
		attrs:   metric.WithAttributeSet(attribute.NewSet(attribute.String("processor", set.ID.String()))),
	}, nil
}

func (t *telemetry) record(ctx context.Context, c batchCounts) {
	if c.evaluations > 0 {
		t.builder.ProcessorRulesEvaluations.Add(ctx, c.evaluations, t.attrs)
	}
	if c.errors > 0 {
		t.builder.ProcessorRulesEvaluationErrors.Add(ctx, c.errors, t.attrs)
	}
	if c.violations > 0 {
		t.builder.ProcessorRulesViolations.Add(ctx, c.violations, t.attrs)
	}
	if c.findings > 0 {
		t.builder.ProcessorRulesFindingsEmitted.Add(ctx, c.findings, t.attrs)
	}
}

func (t *telemetry) shutdown() { t.builder.Shutdown() }
