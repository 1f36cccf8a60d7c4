package rulesprocessor

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
)

func TestZZDiag(t *testing.T) {
	p, _ := newTestProcessor(t, createDefaultConfig(), &consumertest.LogsSink{})
	n := 0
	for _, r := range p.rules.rules {
		if (r.match != nil && r.nativeMatch == nil) || r.nativeCondition == nil {
			n++
			fmt.Println("OTTL:", r.ID, r.Match, "|", r.Condition)
		}
	}
	fmt.Println(n, len(p.rules.rules))
	ld := mixedStream(t, 20)
	rl := ld.ResourceLogs().At(0)
	lrs := rl.ScopeLogs().At(0).LogRecords()
	for i := 0; i < lrs.Len(); i++ {
		lr := lrs.At(i)
		keys, _ := recordKeysOf(lr)
		var ids []string
		p.rules.index.candidates(keys, func(r *compiledRule) bool {
			s := r.ID
			if r.match != nil && r.nativeMatch == nil { s += "(M)" }
			if r.nativeCondition == nil { s += "(C)" }
			ids = append(ids, s); return true })
		fmt.Println(keys.eventName, keys.resourceType, keys.policyType, ids)
	}
}
