package inventory

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
)

// emitter batches inventory records (emit.MaxRecords per ConsumeLogs call) and hands them
// downstream through the receiver's one emit path. Pages are converted as they arrive, so
// memory stays bounded by one batch plus one page.
type emitter struct {
	inv  *Inventory
	logs plog.Logs
	sl   plog.ScopeLogs
	n    int
	now  pcommon.Timestamp
	// failed counts ConsumeLogs errors (logged once per emitter).
	failed int
}

func (inv *Inventory) newEmitter() *emitter {
	return &emitter{inv: inv, now: pcommon.NewTimestampFromTime(time.Now())}
}

func (e *emitter) add(ctx context.Context, rec inventoryRecord) {
	if e.n == 0 {
		e.logs, e.sl = e.inv.p.Emit.NewLogs()
	}
	appendInventoryRecord(e.sl, rec, e.now)
	e.n++
	if e.n >= emit.MaxRecords {
		e.flush(ctx)
	}
}

// flush sends the pending records. A consumer error is counted and logged once; the
// inventory is sent again at the next full sync, so nothing is retried here.
func (e *emitter) flush(ctx context.Context) {
	if e.n == 0 {
		return
	}
	ld, count := e.logs, e.n
	e.n = 0
	e.logs = plog.Logs{}
	if err := e.inv.p.Emit.Consume(ctx, ld, count); err != nil {
		if e.failed == 0 {
			e.inv.p.Telemetry.Logger.Warn("Downstream refused inventory records; they are sent again at the next full sync",
				zap.Int("records", count), zap.Error(err))
		}
		e.failed++
	}
}
