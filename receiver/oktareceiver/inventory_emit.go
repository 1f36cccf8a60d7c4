package oktareceiver

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// emitBatchSize is the number of records sent downstream in one ConsumeLogs call. Pages
// are converted as they arrive, so memory stays bounded by one batch plus one page.
const emitBatchSize = 500

// emitter batches inventory records and hands them to the next consumer.
type emitter struct {
	inv  *inventory
	logs plog.Logs
	sl   plog.ScopeLogs
	n    int
	now  pcommon.Timestamp
	// failed counts ConsumeLogs errors (logged once per emitter).
	failed int
}

func (inv *inventory) newEmitter() *emitter {
	return &emitter{inv: inv, now: pcommon.NewTimestampFromTime(time.Now())}
}

func (e *emitter) add(ctx context.Context, rec inventoryRecord) {
	if e.n == 0 {
		e.logs = plog.NewLogs()
		rl := e.logs.ResourceLogs().AppendEmpty()
		e.inv.fillResource(rl.Resource())
		e.sl = rl.ScopeLogs().AppendEmpty()
		e.sl.Scope().SetName(metadata.ScopeName)
	}
	appendInventoryRecord(e.sl, rec, e.now)
	e.n++
	if e.n >= emitBatchSize {
		e.flush(ctx)
	}
}

// flush sends the pending records. A consumer error is counted and logged once; the
// inventory is sent again at the next full sync, so nothing is retried here.
func (e *emitter) flush(ctx context.Context) {
	if e.n == 0 {
		return
	}
	ld := e.logs
	e.n = 0
	e.logs = plog.Logs{}
	p := e.inv.p
	obsCtx := p.obsrecv.StartLogsOp(ctx)
	count := ld.LogRecordCount()
	err := p.next.ConsumeLogs(obsCtx, ld)
	p.obsrecv.EndLogsOp(obsCtx, metadata.Type.String(), count, err)
	if err != nil {
		if e.failed == 0 {
			p.settings.Logger.Warn("Downstream refused inventory records; they are sent again at the next full sync",
				zap.Int("records", count), zap.Error(err))
		}
		e.failed++
	}
}
