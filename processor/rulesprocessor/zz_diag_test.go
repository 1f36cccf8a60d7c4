package rulesprocessor

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestZZDiag(t *testing.T) {
	p, _ := newTestProcessor(t, createDefaultConfig(), &consumertest.LogsSink{})
	ld := mixedStream(t, 1000)
	b := &batch{ctx: context.Background(), now: p.now(), paths: newPathCache(p.rules.pathSlots)}
	_ = b
	out, _ := p.processLogs(context.Background(), ld)
	n := 0
	ids := map[string]int{}
	forEachRecord(out, func(lr plog.LogRecord) {
		if v, ok := lr.Attributes().Get(attrRecordKind); ok && v.Str() == kindFinding {
			n++
			r, _ := lr.Attributes().Get(attrRuleUUID)
			ids[r.Str()]++
		}
	})
	fmt.Println("findings", n, ids)
}
