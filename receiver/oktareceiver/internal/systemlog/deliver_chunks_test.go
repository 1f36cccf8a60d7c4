package systemlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// pageOf is a System Log page of n events with uuids ev-0000.. and ascending published times.
func pageOf(t *testing.T, n int) *Batch {
	t.Helper()
	return pageFrom(t, 0, n)
}

// pageFrom is pageOf with uuids from ev-<first>.
func pageFrom(t *testing.T, first, n int) *Batch {
	t.Helper()
	var b strings.Builder
	b.WriteString("[")
	start := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"uuid":"ev-%04d","eventType":"user.session.start","published":%q,"outcome":{"result":"SUCCESS"}}`,
			first+i, start.Add(time.Duration(first+i)*time.Millisecond).Format(time.RFC3339Nano))
	}
	b.WriteString("]")
	batch, err := DecodePage([]byte(b.String()), time.Now())
	require.NoError(t, err)
	require.Equal(t, n, batch.Len())
	return batch
}

// gateConsumer accepts calls while open says so and records the size of every call it sees.
type gateConsumer struct {
	sink  consumertest.LogsSink
	sizes []int
	open  func(call int) bool
}

func (g *gateConsumer) consumer(t *testing.T) consumer.Logs {
	c, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		g.sizes = append(g.sizes, ld.LogRecordCount())
		if !g.open(len(g.sizes)) {
			return errDownstreamRefused
		}
		return g.sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	return c
}

func uuidsFrom(from, to int) []string {
	out := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("ev-%04d", i))
	}
	return out
}

// TestDeliveryHandsAPageOverInBatchesOfMaxRecords: a page larger than emit.MaxRecords reaches
// the consumer as consecutive calls of at most emit.MaxRecords records, in the page's order,
// each with the receiver's scope, and the cursor moves once all are accepted.
func TestDeliveryHandsAPageOverInBatchesOfMaxRecords(t *testing.T) {
	n := 2*emit.MaxRecords + emit.MaxRecords/2
	gate := &gateConsumer{open: func(int) bool { return true }}
	cfg := DefaultConfig()
	params := Params{Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type),
		Storage: testkit.NewMapStorage(), Emit: emit.New(gate.consumer(t), nil, nil)}
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), params))

	res, err := sh.deliver(context.Background(), params, TriggerSystemLog, pageOf(t, n), "https://a.example.org/api/v1/logs?after=1")
	require.NoError(t, err)
	assert.Equal(t, n, res.delivered)
	assert.Equal(t, []int{emit.MaxRecords, emit.MaxRecords, emit.MaxRecords / 2}, gate.sizes)
	assert.Equal(t, uuidsFrom(0, n), testkit.DeliveredUUIDs(gate.sink.AllLogs()))
	for _, ld := range gate.sink.AllLogs() {
		assert.Equal(t, metadata.ScopeName, ld.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Name())
	}
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=1", next)
}

// TestPartlyAcceptedPageIsNotDeliveredTwice: when the consumer refuses the third batch of a
// page, the two batches it took are marked and saved but the cursor stays; the retry of the
// page (decoded again, after a restart) hands over only the events it did not take.
func TestPartlyAcceptedPageIsNotDeliveredTwice(t *testing.T) {
	n := 2*emit.MaxRecords + emit.MaxRecords/2
	taken := 2 * emit.MaxRecords
	store := testkit.NewMapStorage()
	refuseThird := &gateConsumer{open: func(call int) bool { return call < 3 }}
	cfg := DefaultConfig()
	params := Params{Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type),
		Storage: store, Emit: emit.New(new(consumertest.LogsSink), nil, nil)}
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), params))
	const before = "https://a.example.org/api/v1/logs?after=0"
	_, err := sh.deliver(context.Background(), params, TriggerSystemLog, pageFrom(t, 9000, 1), before)
	require.NoError(t, err)
	params.Emit = emit.New(refuseThird.consumer(t), nil, nil)

	res, err := sh.deliver(context.Background(), params, TriggerSystemLog, pageOf(t, n), "https://a.example.org/api/v1/logs?after=1")
	var refused *consumeError
	require.ErrorAs(t, err, &refused)
	assert.ErrorIs(t, err, errDownstreamRefused)
	assert.Equal(t, n-taken, refused.events, "the error counts the events the consumer did not take")
	assert.Equal(t, taken, res.delivered)
	next, _ := sh.cursor()
	assert.Equal(t, before, next, "the cursor stays until the whole page is accepted")
	assert.Equal(t, uuidsFrom(0, taken), testkit.DeliveredUUIDs(refuseThird.sink.AllLogs()))
	assert.Equal(t, []int{emit.MaxRecords, emit.MaxRecords, emit.MaxRecords / 2}, refuseThird.sizes)

	// A restart: the saved window already holds the events the consumer took.
	acceptAll := &gateConsumer{open: func(int) bool { return true }}
	params.Emit = emit.New(acceptAll.consumer(t), nil, nil)
	restarted := NewShared(&cfg)
	require.NoError(t, restarted.load(context.Background(), params))
	next, _ = restarted.cursor()
	assert.Equal(t, before, next)
	res, err = restarted.deliver(context.Background(), params, TriggerSystemLog, pageOf(t, n), "https://a.example.org/api/v1/logs?after=1")
	require.NoError(t, err)
	assert.Equal(t, taken, res.duplicates)
	assert.Equal(t, n-taken, res.delivered)
	assert.Equal(t, uuidsFrom(taken, n), testkit.DeliveredUUIDs(acceptAll.sink.AllLogs()), "only what was not taken, once")
	next, _ = restarted.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=1", next)
}

// TestRefusedFirstBatchMarksNothing: a refusal of the first batch leaves the window, the
// checkpoint and the counters as they were.
func TestRefusedFirstBatchMarksNothing(t *testing.T) {
	store := testkit.NewMapStorage()
	refuseAll := &gateConsumer{open: func(int) bool { return false }}
	cfg := DefaultConfig()
	params := Params{Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type),
		Storage: store, Emit: emit.New(refuseAll.consumer(t), nil, nil)}
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), params))

	res, err := sh.deliver(context.Background(), params, TriggerSystemLog, pageOf(t, 3*emit.MaxRecords), "https://a.example.org/api/v1/logs?after=1")
	require.True(t, errors.Is(err, errDownstreamRefused))
	assert.Zero(t, res.delivered)
	assert.Equal(t, []int{emit.MaxRecords}, refuseAll.sizes, "nothing after the refused batch is offered")
	assert.False(t, sh.window.contains("ev-0000"))
	assert.Empty(t, sh.Stats().EventsByOutcome)
	restarted := NewShared(&cfg)
	require.NoError(t, restarted.load(context.Background(), params))
	next, last := restarted.cursor()
	assert.Empty(t, next, "nothing was saved")
	assert.True(t, last.IsZero())
	assert.False(t, restarted.window.contains("ev-0000"))
}
