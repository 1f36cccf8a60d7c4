package testkit

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// DeliveredUUIDs lists the log.record.uid attribute of every record in logs, in order.
func DeliveredUUIDs(logs []plog.Logs) []string {
	var out []string
	for _, ld := range logs {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					v, _ := lrs.At(k).Attributes().Get("log.record.uid")
					out = append(out, v.Str())
				}
			}
		}
	}
	return out
}

// PoisonConsumer refuses every batch that holds the Poison uuid, as a pipeline whose rule
// fails on that event's content does (the rules processor with error_mode: propagate), and
// passes everything else to Sink. The refusal is permanent when Permanent is set.
type PoisonConsumer struct {
	Poison    string
	Permanent bool
	Sink      *consumertest.LogsSink
	// Refusals counts the batches refused.
	Refusals atomic.Int64
}

// Capabilities reports that the consumer does not mutate its input.
func (c *PoisonConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

// ConsumeLogs refuses ld when it holds the poison uuid and forwards it to Sink otherwise.
func (c *PoisonConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if slices.Contains(DeliveredUUIDs([]plog.Logs{ld}), c.Poison) {
		c.Refusals.Add(1)
		err := fmt.Errorf("rule \"suspicious\" failed on event %s: type mismatch", c.Poison)
		if c.Permanent {
			return consumererror.NewPermanent(err)
		}
		return err
	}
	return c.Sink.ConsumeLogs(ctx, ld)
}
