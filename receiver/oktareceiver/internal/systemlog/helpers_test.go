package systemlog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// deliveredUUIDs lists log.record.uid of every record received, in order.
func deliveredUUIDs(logs []plog.Logs) []string {
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

// poisonConsumer refuses every batch that holds the poison uuid, as a pipeline whose rule fails
// on that event's content does (the rules processor with error_mode: propagate), and passes
// everything else to sink.
type poisonConsumer struct {
	poison    string
	permanent bool
	sink      *consumertest.LogsSink
	refusals  atomic.Int64
}

func (c *poisonConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *poisonConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if slices.Contains(deliveredUUIDs([]plog.Logs{ld}), c.poison) {
		c.refusals.Add(1)
		err := fmt.Errorf("rule \"suspicious\" failed on event %s: type mismatch", c.poison)
		if c.permanent {
			return consumererror.NewPermanent(err)
		}
		return err
	}
	return c.sink.ConsumeLogs(ctx, ld)
}

// sharedFile returns the path of rel inside the shared folder that sits beside the repository
// ("../shared/<rel>" from the repository root). When it is absent the test fails under CI=true
// and is skipped otherwise.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source file")
	}
	// This file is <repo>/receiver/oktareceiver/internal/systemlog/helpers_test.go.
	repoRoot := filepath.Join(filepath.Dir(self), "..", "..", "..", "..")
	p := filepath.Join(repoRoot, "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		msg := "../shared/" + rel + " not found: this test needs the shared folder beside the repo"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}
