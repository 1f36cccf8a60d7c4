package oktareceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
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

// testConfig returns a receiver config pointed at the simulator with fast timings.
func testConfig(simURL string) *Config {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = simURL
	cfg.APIToken = oktasim.DefaultDemoToken
	cfg.SystemLog.PollInterval = 50 * time.Millisecond
	cfg.SystemLog.InitialLookback = 2 * time.Hour
	cfg.SystemLog.InitialBackoff = 5 * time.Millisecond
	cfg.SystemLog.MaxBackoff = 50 * time.Millisecond
	cfg.SystemLog.UnauthorizedRetryInterval = 100 * time.Millisecond
	return cfg
}

// pollerRun is one started poller with its collaborators.
type pollerRun struct {
	poller *systemLogPoller
	params systemLogParams
	host   *statusHost
}

func startPoller(t *testing.T, cfg *Config, next consumer.Logs, store storage.Client) *pollerRun {
	t.Helper()
	return startPollerWith(t, cfg, next, store, nil)
}

// withDeploymentSchedule returns c with its waits raised to the lower bounds of the
// configuration: the tests poll and back off faster than a deployment may, and everything
// else in their configuration must still be valid.
func withDeploymentSchedule(c SystemLogConfig) SystemLogConfig {
	c.PollInterval = max(c.PollInterval, minInterval)
	c.UnauthorizedRetryInterval = max(c.UnauthorizedRetryInterval, minInterval)
	c.InitialBackoff = max(c.InitialBackoff, minInitialBackoff)
	c.MaxBackoff = max(c.MaxBackoff, c.InitialBackoff)
	return c
}

func startPollerWith(t *testing.T, cfg *Config, next consumer.Logs, store storage.Client,
	onChanges ChangeNotifier,
) *pollerRun {
	t.Helper()
	return startPollerWithSettings(t, cfg, next, store, onChanges, receivertest.NewNopSettings(metadata.Type))
}

// startPollerWithSettings is startPollerWith with the receiver settings (a test logger).
func startPollerWithSettings(t *testing.T, cfg *Config, next consumer.Logs, store storage.Client,
	onChanges ChangeNotifier, set receiver.Settings,
) *pollerRun {
	t.Helper()
	require.NoError(t, withDeploymentSchedule(cfg.SystemLog).validate())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	client, err := newClient(cfg, &http.Client{Timeout: 5 * time.Second, Transport: transport}, component.NewDefaultBuildInfo(), nil, nil)
	require.NoError(t, err)
	if store == nil {
		store = newMapStorage()
	}
	params := systemLogParams{
		cfg:       cfg,
		settings:  set,
		client:    client,
		storage:   store,
		emit:      emit.New(next, nil, testResource),
		onChanges: onChanges,
	}
	params.shared = newSystemLogShared(&cfg.SystemLog)
	host := &statusHost{}
	p := newSystemLogPoller(params)
	require.NoError(t, p.start(context.Background(), host))
	run := &pollerRun{poller: p, params: params, host: host}
	t.Cleanup(func() {
		_ = p.shutdown(context.Background())
		transport.CloseIdleConnections()
	})
	return run
}

// statusHost records reported component status events.
type statusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (h *statusHost) GetExtensions() map[component.ID]component.Component { return nil }

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]componentstatus.Status, len(h.events))
	for i, ev := range h.events {
		out[i] = ev.Status()
	}
	return out
}

func (h *statusHost) errs() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []error
	for _, ev := range h.events {
		if ev.Err() != nil {
			out = append(out, ev.Err())
		}
	}
	return out
}

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

// requireExactlyOnce fails unless delivered holds every uuid of want exactly once and nothing else.
func requireExactlyOnce(t *testing.T, want, delivered []string) {
	t.Helper()
	seen := make(map[string]int, len(delivered))
	for _, id := range delivered {
		seen[id]++
	}
	var dups, missing []string
	for id, n := range seen {
		if n > 1 {
			dups = append(dups, id)
		}
	}
	wantSet := make(map[string]bool, len(want))
	for _, id := range want {
		wantSet[id] = true
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	var extra []string
	for id := range seen {
		if !wantSet[id] {
			extra = append(extra, id)
		}
	}
	require.Emptyf(t, dups, "%d duplicated of %d delivered", len(dups), len(delivered))
	require.Emptyf(t, missing, "%d of %d persisted events lost", len(missing), len(want))
	require.Emptyf(t, extra, "%d delivered events the simulator never persisted", len(extra))
}

// waitDelivered waits until the sink holds at least n records.
func waitDelivered(t *testing.T, count func() int, n int, within time.Duration) {
	t.Helper()
	require.Eventuallyf(t, func() bool { return count() >= n }, within, 10*time.Millisecond,
		"delivered fewer than %d events", n)
}

func TestSystemLogDeliversHistoryAndLateEventsExactlyOnce(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) {
		o.Logs.EventsPerSec = 400
		o.Logs.LateShare = 0.4
		o.Logs.LateDelay = 300 * time.Millisecond
	})
	sink := new(consumertest.LogsSink)
	run := startPoller(t, testConfig(sim.url), sink, nil)

	time.Sleep(1200 * time.Millisecond)
	sim.setRate(t, 0)
	time.Sleep(400 * time.Millisecond) // every late event is persisted by now
	want := sim.persistedUUIDs(t)
	require.Greater(t, len(want), 300)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive now
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))

	st := run.poller.stats()
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
	cfg := testConfig(sim.url)
	cfg.SystemLog.PollInterval = time.Hour // a wait after a full page would stall the test
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	waitDelivered(t, sink.LogRecordCount, 2500, 10*time.Second)
	requireExactlyOnce(t, sim.persistedUUIDs(t), deliveredUUIDs(sink.AllLogs()))
	assert.Equal(t, 3, len(sink.AllLogs()), "1000 + 1000 + 500: each page consumed separately")
	assert.Equal(t, int64(3), run.poller.stats().Pages)
}

func TestSystemLogShortPageWaitsPollInterval(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 10 })
	cfg := testConfig(sim.url)
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
		run := startPoller(t, testConfig(sim.url), sink, store)
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
		require.NoError(t, run.poller.shutdown(context.Background()))
		require.NoError(t, store.Close(context.Background()))
		if round < 2 {
			require.Positive(t, sink.LogRecordCount(), "round %d delivered nothing", round)
		}
	}
}

func TestCheckpointNotAdvancedWhileConsumerFails(t *testing.T) {
	sim := startSim(t, nil)
	store := newMapStorage()
	next := &switchableConsumer{sink: new(consumertest.LogsSink)}
	next.failing.Store(true)
	run := startPoller(t, testConfig(sim.url), next, store)

	require.Eventually(t, func() bool { return run.poller.stats().Errors[errKindConsumer] >= 3 },
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
	cfg := testConfig(sim.url)
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
	st := run.poller.stats()
	// 5xx answers are retried by the client's retry policy (few reach the poller).
	var served5xx int64
	for _, b := range run.poller.params.client.RateLimits() {
		served5xx += b.Requests["5xx"]
	}
	assert.Positive(t, served5xx)
	assert.Positive(t, st.Errors[errKindInvalidPage])
}

func TestSystemLog429StormWaitsForReset(t *testing.T) {
	sim := startSim(t, nil)
	require.NoError(t, sim.srv.SetFaults(oktasim.FaultOptions{PathPrefix: "/api/v1/logs", StormUntil: time.Now().Add(1500 * time.Millisecond)}))
	sink := new(consumertest.LogsSink)
	startPoller(t, testConfig(sim.url), sink, nil)
	time.Sleep(500 * time.Millisecond)
	assert.Equal(t, 0, sink.LogRecordCount(), "nothing during the storm")
	assert.LessOrEqual(t, sim.srv.PlatformStats().Storm429, int64(3), "the client waits for the reset instead of hammering")
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))
}

func TestSystemLogUnauthorizedIsPermanentAndRetriedSlowly(t *testing.T) {
	sim := startSim(t, nil)
	cfg := testConfig(sim.url)
	cfg.APIToken = "wrong-token"
	cfg.SystemLog.UnauthorizedRetryInterval = 150 * time.Millisecond
	sink := new(consumertest.LogsSink)
	run := startPoller(t, cfg, sink, nil)
	require.Eventually(t, func() bool { return run.poller.stats().Errors[errKindUnauthorized] >= 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusPermanentError}, run.host.statuses(), "reported once")
	n := run.poller.stats().Errors[errKindUnauthorized]
	time.Sleep(300 * time.Millisecond)
	assert.LessOrEqual(t, run.poller.stats().Errors[errKindUnauthorized]-n, int64(3), "slow retries")
	assert.Equal(t, 0, sink.LogRecordCount())
	for _, err := range run.host.errs() {
		assert.NotContains(t, err.Error(), "wrong-token")
	}
}

func TestSystemLogFilterIsSentToOkta(t *testing.T) {
	sim := startSim(t, nil)
	cfg := testConfig(sim.url)
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

func TestSystemLogStartURLIsPollingMode(t *testing.T) {
	cfg := defaultSystemLogConfig()
	cfg.Filter = `outcome.result eq "FAILURE"`
	now := time.Date(2026, 2, 3, 12, 0, 0, 0, time.UTC)
	u := systemLogStartURL(cfg, time.Time{}, now)
	assert.True(t, strings.HasPrefix(u, "/api/v1/logs?"))
	assert.Contains(t, u, "since=2026-02-03T11%3A00%3A00.000Z")
	assert.Contains(t, u, "limit=1000")
	assert.Contains(t, u, "sortOrder=ASCENDING")
	assert.Contains(t, u, "filter=outcome.result+eq+%22FAILURE%22")
	assert.NotContains(t, u, "until")
	// Without a usable cursor, resume shortly before the last delivered event.
	u = systemLogStartURL(cfg, now.Add(-time.Hour*30), now)
	assert.Contains(t, u, "since=2026-02-02T05%3A45%3A00.000Z")
	// Never before Okta's retention.
	u = systemLogStartURL(cfg, now.Add(-200*24*time.Hour), now)
	assert.Contains(t, u, "since=2025-11-05T12%3A00%3A00.000Z")
}

// switchableConsumer refuses everything while failing is set, then forwards to sink.
type switchableConsumer struct {
	failing atomic.Bool
	sink    *consumertest.LogsSink
}

func (c *switchableConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *switchableConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if c.failing.Load() {
		return errDownstreamRefused
	}
	return c.sink.ConsumeLogs(ctx, ld)
}

var errDownstreamRefused = errors.New("downstream refused the batch")

// openFileStorage opens the receiver's client of a file-backed storage extension in dir
// (the real restart path: getStorageClient against a host holding the extension).
func openFileStorage(t *testing.T, dir string) storage.Client {
	t.Helper()
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("okta_state", dir)
	id := storagetest.NewStorageID("okta_state")
	client, err := getStorageClient(context.Background(), host, &id, component.NewID(metadata.Type))
	require.NoError(t, err)
	return client
}

func TestEventHookAndPollerDeliverEachEventOnce(t *testing.T) {
	sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 20 })
	cfg := testConfig(sim.url)
	cfg.SystemLog.PollInterval = 100 * time.Millisecond
	cfg.EventHooks.Enabled = true
	cfg.EventHooks.Secret = testHookSecret
	cfg.EventHooks.Server.NetAddr.Endpoint = "127.0.0.1:0"
	require.NoError(t, cfg.EventHooks.validate())

	sink := new(consumertest.LogsSink)
	rec := new(changesRecorder)
	run := startPollerWith(t, cfg, sink, nil, rec.onChanges)
	hook := newEventHookServer(run.params)
	require.NoError(t, hook.start(context.Background(), run.host))
	t.Cleanup(func() { _ = hook.shutdown(context.Background()) })

	sim.control(t, http.MethodPost, "/_sim/hooks", map[string]any{
		"url":        "http://" + hook.addr() + cfg.EventHooks.Path,
		"authHeader": map[string]string{"key": "Authorization", "value": testHookSecret},
	}, nil)
	sim.setRate(t, 300)
	time.Sleep(time.Second)
	sim.setRate(t, 0)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, sink.LogRecordCount, len(want), 10*time.Second)
	time.Sleep(300 * time.Millisecond) // late hook deliveries and polls would duplicate now
	requireExactlyOnce(t, want, deliveredUUIDs(sink.AllLogs()))

	st := run.poller.stats()
	assert.Positive(t, st.HookEvents, "the hook delivered some events first")
	assert.Positive(t, st.Duplicates, "events seen by both paths were dropped once")
	triggers, changes := rec.snapshot()
	assert.Contains(t, triggers, triggerEventHook)
	assert.Contains(t, triggers, triggerSystemLog)
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
