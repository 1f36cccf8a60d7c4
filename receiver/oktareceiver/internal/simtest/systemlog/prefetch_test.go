package systemlog_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// hookConsumer calls before (when set) on every batch, then, when before returns nil, keeps the
// batch. It records the order of accepted batches.
type hookConsumer struct {
	before func(ctx context.Context, call int, ld plog.Logs) error
	mu     sync.Mutex
	calls  int
	sink   consumertest.LogsSink
}

func (c *hookConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *hookConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	c.mu.Lock()
	c.calls++
	call := c.calls
	c.mu.Unlock()
	if c.before != nil {
		if err := c.before(ctx, call, ld); err != nil {
			return err
		}
	}
	return c.sink.ConsumeLogs(ctx, ld)
}

func TestSystemLogPrefetchesTheNextFullPageDuringDelivery(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 2500 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = time.Hour // only full pages may be followed (and prefetched)
	store := testkit.NewMapStorage()
	overlapped := make(chan int, 3)
	next := &hookConsumer{}
	next.before = func(ctx context.Context, _ int, ld plog.Logs) error {
		// A page reaches the consumer in batches of at most emit.MaxRecords; page is the one
		// this batch belongs to (deliveries are sequential, so the sink holds all before it).
		assert.LessOrEqual(t, ld.LogRecordCount(), emit.MaxRecords)
		delivered := next.sink.LogRecordCount()
		page := delivered/1000 + 1
		// The checkpoint holds exactly the pages accepted before this one, during all of its batches.
		cp, err := loadCheckpoint(ctx, store)
		if assert.NoError(t, err) {
			if page == 1 {
				assert.Nil(t, cp, "no checkpoint before the first page is accepted")
			} else if assert.NotNil(t, cp) {
				assert.Len(t, cp.RecentUUIDs, (page-1)*1000, "checkpoint during page %d", page)
			}
		}
		if delivered%1000 != 0 {
			return nil // not the first batch of its page
		}
		// Block the delivery of a full page until the next page has been requested. The short
		// page 3 is followed by no request at all, so there is nothing to wait for: its delivery
		// is a bounded observation of 300ms, far longer than a prefetch started before it
		// takes to reach the simulator on loopback.
		wait := 3 * time.Second
		if page == 3 {
			wait = 300 * time.Millisecond
		}
		if pollUntil(wait, func() bool { return sim.logRequests() > int64(page) }) {
			overlapped <- page
		}
		return nil
	}
	run := startPoller(t, cfg, next, store)
	waitDelivered(t, next.sink.LogRecordCount, 2500, 15*time.Second)
	requireExactlyOnce(t, sim.persistedUUIDs(t), testkit.DeliveredUUIDs(next.sink.AllLogs()))
	assert.Equal(t, sim.persistedUUIDs(t), testkit.DeliveredUUIDs(next.sink.AllLogs()), "pages delivered in order")
	assert.Len(t, next.sink.AllLogs(), 2500/emit.MaxRecords, "1000 + 1000 + 500, in batches of emit.MaxRecords")
	assert.Equal(t, int64(3), run.poller.Stats().Pages)

	close(overlapped)
	var calls []int
	for c := range overlapped {
		calls = append(calls, c)
	}
	assert.Equal(t, []int{1, 2}, calls, "pages 2 and 3 were requested while pages 1 and 2 were delivered; nothing after the short page 3")
	// The poller now waits poll_interval (an hour), and no event marks "still waiting": a
	// bounded observation of 100ms, in which a poller that does not wait would have asked
	// again within milliseconds.
	assert.Never(t, func() bool { return sim.logRequests() > 3 }, 100*time.Millisecond, 5*time.Millisecond,
		"no request after the short page before poll_interval")
	assert.Equal(t, int64(3), sim.logRequests(), "no request after the short page before poll_interval")
}

func TestSystemLogRefusedPageIsRetriedBeforeThePrefetchedOne(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 1050 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.Limit = 100
	store := testkit.NewMapStorage()
	accepted := 0 // guarded by the poller: deliveries are sequential
	next := &hookConsumer{before: func(ctx context.Context, call int, ld plog.Logs) error {
		cp, err := loadCheckpoint(ctx, store)
		if assert.NoError(t, err) && accepted > 0 && assert.NotNil(t, cp) {
			assert.Len(t, cp.RecentUUIDs, accepted, "the checkpoint covers exactly the accepted pages")
		}
		if call%3 != 0 { // refuse two attempts of every page
			return errDownstreamRefused
		}
		accepted += ld.LogRecordCount()
		return nil
	}}
	run := startPoller(t, cfg, next, store)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, next.sink.LogRecordCount, len(want), 15*time.Second)
	waitPolls(t, run, settlePolls, 5*time.Second)
	got := testkit.DeliveredUUIDs(next.sink.AllLogs())
	requireExactlyOnce(t, want, got)
	assert.Equal(t, want, got, "pages delivered in order")
	assert.GreaterOrEqual(t, run.poller.Stats().Pages, int64(11), "10 full pages, then short (or empty) ones")
	assert.GreaterOrEqual(t, run.poller.Stats().Errors[systemlog.ErrKindConsumer], int64(22))
	// The last page's checkpoint is saved right after its ConsumeLogs returned.
	assert.Eventually(t, func() bool {
		cp, err := loadCheckpoint(context.Background(), store)
		return err == nil && cp != nil && assert.ObjectsAreEqual(want, cp.RecentUUIDs)
	}, 5*time.Second, 5*time.Millisecond, "the final checkpoint holds every delivered uuid, in order")
}

func TestSystemLogShutdownDuringDeliveryStopsThePrefetch(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 3000 })
	cfg := newTestConfig(sim.url)
	entered := make(chan struct{}, 1)
	next := &hookConsumer{before: func(ctx context.Context, _ int, _ plog.Logs) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-ctx.Done() // a pipeline stuck until shutdown
		return ctx.Err()
	}}
	store := testkit.NewMapStorage()
	run := startPoller(t, cfg, next, store)
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the first page was never delivered")
	}
	done := make(chan error, 1)
	go func() { done <- run.poller.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not return")
	}
	cp, err := loadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	assert.Nil(t, cp, "nothing was accepted, nothing is committed")
	// goleak (TestMain) checks that the prefetch goroutine ended.
}
