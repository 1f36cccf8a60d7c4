package systemlog_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// testSim is a simulated org on a loopback port with its control API.
type testSim struct {
	srv *oktasim.Server
	url string
}

// startSim starts a small simulated org without rate limits (unless mutate turns them on),
// with history events published over the last 30 minutes and no background generator.
func startSim(t *testing.T, mutate func(*oktasim.Options)) *testSim {
	t.Helper()
	srv, url := simtest.StartSim(t, func(o *oktasim.Options) {
		o.Org.Users, o.Org.Groups, o.Org.Apps = 20, 5, 5
		o.Logs.HistoryEvents = 150
		o.Logs.HistorySpan = 30 * time.Minute
		o.Logs.EventsPerSec = 0
		o.Logs.LateShare = 0
		if mutate != nil {
			mutate(o)
		}
	})
	return &testSim{srv: srv, url: url}
}

// control sends a control API request to the simulator (see simtest.Control).
func (s *testSim) control(t *testing.T, method, path string, body any, out any) {
	t.Helper()
	simtest.Control(t, method, s.url+path, body, out)
}

// persistedUUIDs is the simulator's ground truth: every uuid persisted so far.
func (s *testSim) persistedUUIDs(t *testing.T) []string {
	var out struct {
		UUIDs []string `json:"uuids"`
	}
	s.control(t, http.MethodGet, "/_sim/events/uuids", nil, &out)
	return out.UUIDs
}

func (s *testSim) setRate(t *testing.T, perSec float64) {
	s.control(t, http.MethodPut, "/_sim/events/rate", map[string]any{"eventsPerSec": perSec}, nil)
}

func (s *testSim) logRequests() int64 {
	return s.srv.PlatformStats().Paths["GET /api/v1/logs"]
}

func TestSystemLogDeliversHistoryAndLateEventsExactlyOnce(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) {
		o.Logs.EventsPerSec = 400
		o.Logs.LateShare = 0.4
		o.Logs.LateDelay = 300 * time.Millisecond
	})
	sink := new(consumertest.LogsSink)
	run := startPoller(t, newTestConfig(sim.url), sink, nil)

	// Let the generator run until 400 live events (about one second) are persisted and the
	// poller has delivered live ones too: late events then land behind events it has polled.
	sim.waitPersisted(t, 150+400, 10*time.Second)
	waitDelivered(t, sink.LogRecordCount, 150+100, 10*time.Second)
	sim.setRate(t, 0)
	sim.waitNoLateEvents(t, 5*time.Second)
	want := sim.persistedUUIDs(t)
	require.Greater(t, len(want), 300)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	waitPolls(t, run, settlePolls, 5*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))

	st := run.poller.Stats()
	assert.Positive(t, st.Pages)
	var byOutcome int64
	for _, n := range st.EventsByOutcome {
		byOutcome += n
	}
	assert.Equal(t, int64(len(want)), byOutcome)
	assert.False(t, st.NewestPublished.IsZero())
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, run.host.Statuses(), "status reported once")
}

func TestSystemLogFullPagesAreFollowedImmediately(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 2500 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = time.Hour // a wait after a full page would stall the test
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	waitDelivered(t, sink.LogRecordCount, 2500, 10*time.Second)
	requireExactlyOnce(t, sim.persistedUUIDs(t), testkit.DeliveredUUIDs(sink.AllLogs()))
	assert.Len(t, sink.AllLogs(), 2500/emit.MaxRecords, "1000 + 1000 + 500, each page consumed in batches of emit.MaxRecords")
	assert.Equal(t, int64(3), run.poller.Stats().Pages)
}

func TestSystemLogShortPageWaitsPollInterval(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) {
		o.Logs.HistoryEvents = 10
		o.Platform.RecordRequests = 1000
	})
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = 200 * time.Millisecond
	sink := new(consumertest.LogsSink)
	startPoller(t, cfg, sink, nil)
	waitDelivered(t, sink.LogRecordCount, 10, 5*time.Second)
	_, since := sim.logRequestsSince(t, 0)
	var polls []oktasim.RequestRecord
	require.Eventually(t, func() bool {
		polls, _ = sim.logRequestsSince(t, since)
		return len(polls) >= 5
	}, 5*time.Second, 10*time.Millisecond, "the poller keeps polling")
	// One request per poll_interval, measured on the simulator's arrival times: busy polling
	// would send the next request within milliseconds.
	requireArrivalGaps(t, polls, cfg.SystemLog.PollInterval, "poll_interval 200ms")
	assert.Equal(t, 10, sink.LogRecordCount())
}

func TestCheckpointRestartOnFileStorageResumesWithoutDuplicatesOrLoss(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.EventsPerSec = 300 })
	dir := t.TempDir()
	sinks := []*consumertest.LogsSink{}
	for round := range 3 {
		st := testkit.OpenFileStorage(t, dir)
		store := st.Client
		sink := new(consumertest.LogsSink)
		sinks = append(sinks, sink)
		started, err := loadCheckpoint(context.Background(), store)
		require.NoError(t, err)
		persisted := sim.eventStats(t).Persisted
		run := startPoller(t, newTestConfig(sim.url), sink, store)
		// Each round runs until it has delivered events and saved a checkpoint of its own, while
		// the generator keeps adding events (100 more, a third of a second): the restart then
		// falls in the middle of the stream.
		require.Eventually(t, func() bool {
			cp, err := loadCheckpoint(context.Background(), store)
			return err == nil && cp != nil && (started == nil || cp.NextURL != started.NextURL) &&
				sink.LogRecordCount() > 0
		}, 10*time.Second, 10*time.Millisecond, "round %d saved no checkpoint", round)
		sim.waitPersisted(t, persisted+100, 10*time.Second)
		if round == 2 {
			sim.setRate(t, 0)
			want := sim.persistedUUIDs(t)
			var all []string
			require.Eventually(t, func() bool {
				all = nil
				for _, s := range sinks {
					all = append(all, testkit.DeliveredUUIDs(s.AllLogs())...)
				}
				return len(all) >= len(want)
			}, 10*time.Second, 10*time.Millisecond)
			waitPolls(t, run, settlePolls, 5*time.Second)
			all = nil
			for _, s := range sinks {
				all = append(all, testkit.DeliveredUUIDs(s.AllLogs())...)
			}
			requireExactlyOnce(t, want, all)
		}
		require.NoError(t, run.poller.Shutdown(context.Background()))
		st.Close(t)
		if round < 2 {
			require.Positive(t, sink.LogRecordCount(), "round %d delivered nothing", round)
		}
	}
}

func TestCheckpointNotAdvancedWhileConsumerFails(t *testing.T) {
	sim := startSim(t, nil)
	store := testkit.NewMapStorage()
	next := &switchableConsumer{sink: new(consumertest.LogsSink)}
	next.failing.Store(true)
	run := startPoller(t, newTestConfig(sim.url), next, store)

	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindConsumer] >= 3 },
		5*time.Second, 5*time.Millisecond, "the same page is retried after backoff")
	cp, err := loadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	assert.Nil(t, cp, "no checkpoint while the consumer refuses the first page")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, run.host.Statuses())

	next.failing.Store(false)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, next.sink.LogRecordCount, len(want), 5*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(next.sink.AllLogs()))
	// The sink holds the events as soon as ConsumeLogs runs; the checkpoint follows its return.
	require.Eventually(t, func() bool {
		cp, err = loadCheckpoint(context.Background(), store)
		return err == nil && cp != nil && len(cp.RecentUUIDs) == len(want)
	}, 5*time.Second, 5*time.Millisecond, "the checkpoint covers the accepted page")
	assert.Contains(t, cp.NextURL, "after=")
	assert.NotContains(t, cp.NextURL, "until=")
	assert.Len(t, cp.RecentUUIDs, len(want))
	assert.Eventually(t, func() bool {
		s := run.host.Statuses()
		return s[len(s)-1] == componentstatus.StatusOK
	}, time.Second, 5*time.Millisecond)
}

func TestSystemLogFaultsLoseAndDuplicateNothing(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) {
		o.Logs.HistoryEvents = 600
		o.Logs.EventsPerSec = 300
		o.Platform.Faults = oktasim.FaultOptions{PathPrefix: "/api/v1/logs", ErrorRate: 0.25, TruncateRate: 0.25, ResetRate: 0.1}
	})
	cfg := newTestConfig(sim.url)
	// Small pages: about 20 pages and 40 requests, so that faults hit the backfill and the
	// live events alike.
	cfg.SystemLog.Limit = 50
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	// Live events keep arriving (300 of them, about one second, at least) until the simulator
	// has served both a 5xx and a truncated body to the poller: at these rates that takes a
	// few requests, and waiting for it keeps the test from depending on the dice.
	require.Eventually(t, func() bool {
		ps := sim.srv.PlatformStats()
		return ps.Injected5xx > 0 && ps.Truncated > 0 && sim.eventStats(t).Persisted >= 600+300
	}, 30*time.Second, 10*time.Millisecond, "the simulator served no 5xx or no truncated body")
	sim.setRate(t, 0)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 60*time.Second)
	waitPolls(t, run, settlePolls, 30*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))

	ps := sim.srv.PlatformStats()
	t.Logf("faults served: %d 5xx, %d truncated bodies", ps.Injected5xx, ps.Truncated)
	assert.Positive(t, ps.Injected5xx)
	assert.Positive(t, ps.Truncated)
	st := run.poller.Stats()
	// 5xx answers are retried by the client's retry policy (few reach the poller).
	var served5xx int64
	for _, b := range run.client.RateLimits() {
		served5xx += b.Requests["5xx"]
	}
	assert.Positive(t, served5xx)
	assert.Positive(t, st.Errors[systemlog.ErrKindInvalidPage])
}

func TestSystemLog429StormWaitsForReset(t *testing.T) {
	sim := startSim(t, nil)
	stormUntil := time.Now().Add(1500 * time.Millisecond)
	require.NoError(t, sim.srv.SetFaults(oktasim.FaultOptions{PathPrefix: "/api/v1/logs", StormUntil: stormUntil}))
	var firstDelivery atomic.Pointer[time.Time]
	next := &hookConsumer{before: func(context.Context, int, plog.Logs) error {
		now := time.Now()
		firstDelivery.CompareAndSwap(nil, &now)
		return nil
	}}
	startPoller(t, newTestConfig(sim.url), next, nil)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, next.sink.LogRecordCount, len(want), 10*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(next.sink.AllLogs()))
	// The whole storm is over now: every request it answered is counted.
	assert.False(t, firstDelivery.Load().Before(stormUntil), "nothing during the storm")
	storm := sim.srv.PlatformStats().Storm429
	assert.Positive(t, storm, "the poller asked during the storm")
	assert.LessOrEqual(t, storm, int64(3), "the client waits for the reset instead of hammering")
}

func TestSystemLogUnauthorizedIsPermanentAndRetriedSlowly(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Platform.RecordRequests = 1000 })
	cfg := newTestConfig(sim.url)
	cfg.APIToken = "wrong-token"
	cfg.SystemLog.UnauthorizedRetryInterval = 150 * time.Millisecond
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindUnauthorized] >= 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusPermanentError}, run.host.Statuses(), "reported once")
	n := run.poller.Stats().Errors[systemlog.ErrKindUnauthorized]
	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindUnauthorized] >= n+3 },
		5*time.Second, 5*time.Millisecond, "the poller keeps retrying")
	// Slow retries, measured on the simulator's arrival times: one request per
	// unauthorized_retry_interval, where a busy retry would send the next within milliseconds.
	refused, _ := sim.logRequestsSince(t, 0)
	require.GreaterOrEqual(t, len(refused), 6)
	for _, r := range refused {
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	requireArrivalGaps(t, refused, cfg.SystemLog.UnauthorizedRetryInterval, "slow retries")
	assert.Equal(t, 0, sink.LogRecordCount())
	for _, err := range run.host.Errs() {
		assert.NotContains(t, err.Error(), "wrong-token")
	}
}

func TestSystemLogFilterIsSentToOkta(t *testing.T) {
	sim := startSim(t, nil)
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.Filter = `eventType eq "user.session.start"`
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	require.Eventually(t, func() bool { return sink.LogRecordCount() > 0 }, 5*time.Second, 10*time.Millisecond)
	// Whatever else the poller would deliver (an event the filter should have excluded) has
	// had whole polls to arrive.
	waitPolls(t, run, settlePolls, 5*time.Second)
	for _, ld := range sink.AllLogs() {
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			assert.Equal(t, "user.session.start", lrs.At(i).EventName())
		}
	}
	assert.Less(t, sink.LogRecordCount(), len(sim.persistedUUIDs(t)))
}

func TestEventHookAndPollerDeliverEachEventOnce(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 20 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = 100 * time.Millisecond
	cfg.EventHooks.Enabled = true
	cfg.EventHooks.Secret = testkit.HookSecret
	cfg.EventHooks.Server.NetAddr.Endpoint = "127.0.0.1:0"
	require.NoError(t, cfg.EventHooks.Check())

	sink := new(consumertest.LogsSink)
	rec := new(testkit.ChangesRecorder)
	run := startPollerWith(t, cfg, sink, nil, rec.OnChanges)
	hook := systemlog.NewHookServer(run.params)
	require.NoError(t, hook.Start(context.Background(), run.host))
	t.Cleanup(func() { _ = hook.Shutdown(context.Background()) })

	sim.control(t, http.MethodPost, "/_sim/hooks", map[string]any{
		"url":        "http://" + hook.Addr() + cfg.EventHooks.Path,
		"authHeader": map[string]string{"key": "Authorization", "value": testkit.HookSecret},
	}, nil)
	sim.setRate(t, 300)
	// Generate 300 events (about one second) and until the hook has delivered some of them,
	// so that both paths carry events.
	sim.waitPersisted(t, 20+300, 10*time.Second)
	require.Eventually(t, func() bool { return run.poller.Stats().HookEvents > 0 }, 10*time.Second, 10*time.Millisecond,
		"the hook delivered nothing")
	sim.setRate(t, 0)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	// A duplicate could still come from a hook delivery (a retry or the simulator's duplicate
	// send) or from a poll: wait until the hooks have nothing left to send, then for polls
	// that started after that.
	sim.waitHooksSettled(t, 10*time.Second)
	waitPolls(t, run, settlePolls, 5*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))

	st := run.poller.Stats()
	assert.Positive(t, st.HookEvents, "the hook delivered some events first")
	assert.Positive(t, st.Duplicates, "events seen by both paths were dropped once")
	triggers, changes := rec.Snapshot()
	assert.Contains(t, triggers, systemlog.TriggerEventHook)
	assert.Contains(t, triggers, systemlog.TriggerSystemLog)
	// The inventory hears of each event's changes once: a change of one event announced twice
	// would mean that the event was delivered by both paths.
	delivered := map[string]bool{}
	for _, u := range want {
		delivered[u] = true
	}
	seen := map[resource.Change]bool{}
	for _, c := range changes {
		assert.True(t, delivered[c.EventUUID], "a change names a delivered event")
		assert.False(t, seen[c], "change announced twice: %+v", c)
		seen[c] = true
	}
}
