// Package emit is the one path by which the receiver's log records go downstream: it fills
// the resource attributes of every batch (okta.org.url, okta.org.id once known) and calls the
// next consumer inside an obsreport operation, so that the collector's own telemetry counts
// the inventory and the System Log alike.
package emit

import (
	"context"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// MaxRecords is the most log records the receiver hands to the next consumer in one call, for
// the inventory and the System Log alike. A System Log page holds up to 1,000 events, which an
// exporter encodes into one buffer of several MB: after a quiet period, when the Go runtime
// has returned the idle heap to the OS, every such buffer is fresh memory the kernel must
// fault in, and a burst of events paid more for that than for decoding. Batches of 100 keep
// each call's buffers small enough to be reused from one call to the next
// (BenchmarkSystemLogBurstFile); a batch processor or an exporter's own batching downstream
// still builds larger requests where the backend wants them.
const MaxRecords = 100

// Emitter hands batches of log records to the next consumer. It is safe for concurrent use
// when its consumer is.
type Emitter struct {
	next     consumer.Logs
	obs      *receiverhelper.ObsReport
	resource func(pcommon.Resource)
}

// New returns the emitter of next. obs may be nil (no obsreport, in tests); resource, when
// set, fills the resource attributes of each batch.
func New(next consumer.Logs, obs *receiverhelper.ObsReport, resource func(pcommon.Resource)) *Emitter {
	return &Emitter{next: next, obs: obs, resource: resource}
}

// NewLogs returns an empty batch with one resource (its attributes filled) and one scope
// (the receiver's), ready for records.
func (e *Emitter) NewLogs() (plog.Logs, plog.ScopeLogs) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	e.FillResource(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	return ld, sl
}

// FillResource sets the resource attributes of a batch (nothing without a resource func).
func (e *Emitter) FillResource(res pcommon.Resource) {
	if e.resource != nil {
		e.resource(res)
	}
}

// Consume fills the resource attributes of every resource of ld and hands ld to the next
// consumer, counted as records in the obsreport (accepted or refused with the consumer's
// error). The consumer owns ld afterwards.
func (e *Emitter) Consume(ctx context.Context, ld plog.Logs, records int) error {
	for i := range ld.ResourceLogs().Len() {
		e.FillResource(ld.ResourceLogs().At(i).Resource())
	}
	if e.obs == nil {
		return e.next.ConsumeLogs(ctx, ld)
	}
	obsCtx := e.obs.StartLogsOp(ctx)
	err := e.next.ConsumeLogs(obsCtx, ld)
	e.obs.EndLogsOp(obsCtx, metadata.Type.String(), records, err)
	return err
}
