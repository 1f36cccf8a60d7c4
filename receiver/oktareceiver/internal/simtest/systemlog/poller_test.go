package systemlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
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
	opts := oktasim.DefaultOptions()
	opts.Control = true
	opts.Org.Users, opts.Org.Groups, opts.Org.Apps = 20, 5, 5
	opts.Platform.RateLimits.Enabled = false
	opts.Logs.HistoryEvents = 150
	opts.Logs.HistorySpan = 30 * time.Minute
	opts.Logs.EventsPerSec = 0
	opts.Logs.LateShare = 0
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := oktasim.New(opts)
	require.NoError(t, err)
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return &testSim{srv: srv, url: url}
}

func (s *testSim) control(t *testing.T, method, path string, body any, out any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := noKeepAliveClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "%s %s", method, path)
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
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

	time.Sleep(1200 * time.Millisecond)
	sim.setRate(t, 0)
	time.Sleep(400 * time.Millisecond) // every late event is persisted by now
	want := sim.persistedUUIDs(t)
	require.Greater(t, len(want), 300)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive now
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))

	st := run.poller.Stats()
	assert.Positive(t, st.Pages)
	var byOutcome int64
	for _, n := range st.EventsByOutcome {
		byOutcome += n
	}
	assert.Equal(t, int64(len(want)), byOutcome)
	assert.False(t, st.NewestPublished.IsZero())
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, run.host.statuses(), "status reported once")
}

func TestSystemLogFullPagesAreFollowedImmediately(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 2500 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = time.Hour // a wait after a full page would stall the test
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	waitDelivered(t, sink.LogRecordCount, 2500, 10*time.Second)
	requireExactlyOnce(t, sim.persistedUUIDs(t), deliveredUUIDs(sink.AllLogs()))
	assert.Equal(t, 3, len(sink.AllLogs()), "1000 + 1000 + 500: each page consumed separately")
	assert.Equal(t, int64(3), run.poller.Stats().Pages)
}

func TestSystemLogShortPageWaitsPollInterval(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 10 })
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.PollInterval = 200 * time.Millisecond
	sink := new(consumertest.LogsSink)
	startPoller(t, cfg, sink, nil)
	waitDelivered(t, sink.LogRecordCount, 10, 5*time.Second)
	before := sim.logRequests()
	time.Sleep(time.Second)
	during := sim.logRequests() - before
	// One request per poll_interval: about 5 in one second; busy polling would make hundreds.
	assert.LessOrEqual(t, during, int64(7), "requests in 1s with poll_interval 200ms")
	assert.GreaterOrEqual(t, during, int64(3), "the poller keeps polling")
	assert.Equal(t, 10, sink.LogRecordCount())
}

func TestCheckpointRestartOnFileStorageResumesWithoutDuplicatesOrLoss(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.EventsPerSec = 300 })
	dir := t.TempDir()
	sinks := []*consumertest.LogsSink{}
	for round := range 3 {
		store := openFileStorage(t, dir)
		sink := new(consumertest.LogsSink)
		sinks = append(sinks, sink)
		run := startPoller(t, newTestConfig(sim.url), sink, store)
		time.Sleep(400 * time.Millisecond)
		if round == 2 {
			sim.setRate(t, 0)
			want := sim.persistedUUIDs(t)
			var all []string
			require.Eventually(t, func() bool {
				all = nil
				for _, s := range sinks {
					all = append(all, deliveredUUIDs(s.AllLogs())...)
				}
				return len(all) >= len(want)
			}, 10*time.Second, 10*time.Millisecond)
			time.Sleep(100 * time.Millisecond)
			all = nil
			for _, s := range sinks {
				all = append(all, deliveredUUIDs(s.AllLogs())...)
			}
			requireExactlyOnce(t, want, all)
		}
		require.NoError(t, run.poller.Shutdown(context.Background()))
		require.NoError(t, store.Close(context.Background()))
		if round < 2 {
			require.Positive(t, sink.LogRecordCount(), "round %d delivered nothing", round)
		}
	}
}

func TestCheckpointNotAdvancedWhileConsumerFails(t *testing.T) {
	sim := startSim(t, nil)
	store := simtest.NewMapStorage()
	next := &switchableConsumer{sink: new(consumertest.LogsSink)}
	next.failing.Store(true)
	run := startPoller(t, newTestConfig(sim.url), next, store)

	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindConsumer] >= 3 },
		5*time.Second, 5*time.Millisecond, "the same page is retried after backoff")
	cp, err := loadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	assert.Nil(t, cp, "no checkpoint while the consumer refuses the first page")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, run.host.statuses())

	next.failing.Store(false)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, next.sink.LogRecordCount, len(want), 5*time.Second)
	requireExactlyOnce(t, want, deliveredUUIDs(next.sink.AllLogs()))
	// The sink holds the events as soon as ConsumeLogs runs; the checkpoint follows its return.
	require.Eventually(t, func() bool {
		cp, err = loadCheckpoint(context.Background(), store)
		return err == nil && cp != nil && len(cp.RecentUUIDs) == len(want)
	}, 5*time.Second, 5*time.Millisecond, "the checkpoint covers the accepted page")
	assert.Contains(t, cp.NextURL, "after=")
	assert.NotContains(t, cp.NextURL, "until=")
	assert.Len(t, cp.RecentUUIDs, len(want))
	assert.Eventually(t, func() bool {
		s := run.host.statuses()
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
	// Small pages: about 20 pages and 40 requests, so that at these rates every kind of
	// fault is served (the chance that one kind never is stays near one in ten thousand).
	cfg.SystemLog.Limit = 50
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	time.Sleep(time.Second)
	sim.setRate(t, 0)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 60*time.Second)
	time.Sleep(100 * time.Millisecond)
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))

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
	require.NoError(t, sim.srv.SetFaults(oktasim.FaultOptions{PathPrefix: "/api/v1/logs", StormUntil: time.Now().Add(1500 * time.Millisecond)}))
	sink := new(consumertest.LogsSink)
	startPoller(t, newTestConfig(sim.url), sink, nil)
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, 0, sink.LogRecordCount(), "nothing during the storm")
	assert.LessOrEqual(t, sim.srv.PlatformStats().Storm429, int64(3), "the client waits for the reset instead of hammering")
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))
}

func TestSystemLogUnauthorizedIsPermanentAndRetriedSlowly(t *testing.T) {
	sim := startSim(t, nil)
	cfg := newTestConfig(sim.url)
	cfg.APIToken = "wrong-token"
	cfg.SystemLog.UnauthorizedRetryInterval = 150 * time.Millisecond
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindUnauthorized] >= 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusPermanentError}, run.host.statuses(), "reported once")
	n := run.poller.Stats().Errors[systemlog.ErrKindUnauthorized]
	time.Sleep(300 * time.Millisecond)
	assert.LessOrEqual(t, run.poller.Stats().Errors[systemlog.ErrKindUnauthorized]-n, int64(3), "slow retries")
	assert.Equal(t, 0, sink.LogRecordCount())
	for _, err := range run.host.errs() {
		assert.NotContains(t, err.Error(), "wrong-token")
	}
}

func TestSystemLogFilterIsSentToOkta(t *testing.T) {
	sim := startSim(t, nil)
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.Filter = `eventType eq "user.session.start"`
	sink := new(consumertest.LogsSink)
	startPoller(t, cfg, sink, nil)
	require.Eventually(t, func() bool { return sink.LogRecordCount() > 0 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
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
	cfg.EventHooks.Secret = testHookSecret
	cfg.EventHooks.Server.NetAddr.Endpoint = "127.0.0.1:0"
	require.NoError(t, cfg.EventHooks.Check())

	sink := new(consumertest.LogsSink)
	rec := new(changesRecorder)
	run := startPollerWith(t, cfg, sink, nil, rec.onChanges)
	hook := systemlog.NewHookServer(run.params)
	require.NoError(t, hook.Start(context.Background(), run.host))
	t.Cleanup(func() { _ = hook.Shutdown(context.Background()) })

	sim.control(t, http.MethodPost, "/_sim/hooks", map[string]any{
		"url":        "http://" + hook.Addr() + cfg.EventHooks.Path,
		"authHeader": map[string]string{"key": "Authorization", "value": testHookSecret},
	}, nil)
	sim.setRate(t, 300)
	time.Sleep(time.Second)
	sim.setRate(t, 0)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	time.Sleep(300 * time.Millisecond) // late hook deliveries and polls would duplicate now
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))

	st := run.poller.Stats()
	assert.Positive(t, st.HookEvents, "the hook delivered some events first")
	assert.Positive(t, st.Duplicates, "events seen by both paths were dropped once")
	triggers, changes := rec.snapshot()
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
