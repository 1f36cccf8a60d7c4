package rulesprocessor

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
)

func TestZZDiag(t *testing.T) {
	b := &testing.B{}
	_ = b
	p, _ := newTestProcessor(t, createDefaultConfig(), &consumertest.LogsSink{})
	ld := mixedStream(t, 20)
	_ = p
	rl := ld.ResourceLogs().At(0)
	lrs := rl.ScopeLogs().At(0).LogRecords()
	for i := 0; i < lrs.Len(); i++ {
		lr := lrs.At(i)
		keys, _ := recordKeysOf(lr)
		n := 0
		var ids []string
		p.rules.index.candidates(keys, func(r *compiledRule) bool { n++; ids = append(ids, r.ID); return true })
		fmt.Println(keys, n, ids)
	}
}
