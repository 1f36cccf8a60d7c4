package systemlog_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// testConfig is what a test configures: the org, its API token and the two System Log
// sections of the receiver (system_log, event_hooks).
type testConfig struct {
	Endpoint   string
	APIToken   string
	SystemLog  systemlog.Config
	EventHooks systemlog.HooksConfig
}

// newTestConfig returns the defaults pointed at the simulator with fast timings.
func newTestConfig(simURL string) *testConfig {
	cfg := &testConfig{
		Endpoint: simURL, APIToken: oktasim.DefaultDemoToken,
		SystemLog: systemlog.DefaultConfig(), EventHooks: systemlog.DefaultHooksConfig(),
	}
	cfg.SystemLog.PollInterval = 50 * time.Millisecond
	cfg.SystemLog.InitialLookback = 2 * time.Hour
	cfg.SystemLog.InitialBackoff = 5 * time.Millisecond
	cfg.SystemLog.MaxBackoff = 50 * time.Millisecond
	cfg.SystemLog.UnauthorizedRetryInterval = 100 * time.Millisecond
	return cfg
}

// newClient is the Okta client of cfg (API token, the default rate-limit budget) over hc.
func newClient(cfg *testConfig, hc *http.Client) (*oktaapi.Client, error) {
	return oktaapi.New(oktaapi.Params{
		Endpoint: cfg.Endpoint, HTTP: hc, Auth: oktaapi.APIToken(cfg.APIToken),
		Budget: 0.5, UserAgent: "otelcol-okta/" + component.NewDefaultBuildInfo().Version,
	})
}

// testResource fills the resource attributes as the receiver does for its org.
func testResource(r pcommon.Resource) {
	r.Attributes().PutStr("okta.org.url", "https://test-org.example.org")
	r.Attributes().PutStr("okta.org.id", "00oTestOrg000000x7")
}

// pollerRun is one started poller with its collaborators.
type pollerRun struct {
	poller *systemlog.Poller
	params systemlog.Params
	client *oktaapi.Client
	host   *statusHost
}

func startPoller(t *testing.T, cfg *testConfig, next consumer.Logs, store storage.Client) *pollerRun {
	t.Helper()
	return startPollerWith(t, cfg, next, store, nil)
}

// withDeploymentSchedule returns c with its waits raised to the lower bounds of the
// configuration: the tests poll and back off faster than a deployment may, and everything
// else in their configuration must still be valid.
func withDeploymentSchedule(c systemlog.Config) systemlog.Config {
	c.PollInterval = max(c.PollInterval, systemlog.MinInterval)
	c.UnauthorizedRetryInterval = max(c.UnauthorizedRetryInterval, systemlog.MinInterval)
	c.InitialBackoff = max(c.InitialBackoff, systemlog.MinInitialBackoff)
	c.MaxBackoff = max(c.MaxBackoff, c.InitialBackoff)
	return c
}

func startPollerWith(t *testing.T, cfg *testConfig, next consumer.Logs, store storage.Client,
	onChanges systemlog.ChangeNotifier,
) *pollerRun {
	t.Helper()
	return startPollerWithSettings(t, cfg, next, store, onChanges, receivertest.NewNopSettings(metadata.Type))
}

// startPollerWithSettings is startPollerWith with the receiver settings (a test logger).
func startPollerWithSettings(t *testing.T, cfg *testConfig, next consumer.Logs, store storage.Client,
	onChanges systemlog.ChangeNotifier, set receiver.Settings,
) *pollerRun {
	t.Helper()
	require.NoError(t, withDeploymentSchedule(cfg.SystemLog).Check())
	transport := http.DefaultTransport.(*http.Transport).Clone()
	client, err := newClient(cfg, &http.Client{Timeout: 5 * time.Second, Transport: transport})
	require.NoError(t, err)
	if store == nil {
		store = simtest.NewMapStorage()
	}
	params := systemlog.Params{
		Config:    &cfg.SystemLog,
		Hooks:     &cfg.EventHooks,
		Telemetry: set,
		Client:    client,
		Storage:   store,
		Emit:      emit.New(next, nil, testResource),
		OnChanges: onChanges,
	}
	params.Shared = systemlog.NewShared(&cfg.SystemLog)
	host := &statusHost{}
	p := systemlog.NewPoller(params)
	require.NoError(t, p.Start(context.Background(), host))
	run := &pollerRun{poller: p, params: params, client: client, host: host}
	t.Cleanup(func() {
		_ = p.Shutdown(context.Background())
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

// openFileStorage opens a client of a file-backed storage extension in dir for the receiver,
// as the collector hands it to the receiver at start (the real restart path).
func openFileStorage(t *testing.T, dir string) storage.Client {
	t.Helper()
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("okta_state", dir)
	id := storagetest.NewStorageID("okta_state")
	ext, ok := host.GetExtensions()[id].(storage.Extension)
	require.True(t, ok, "okta_state is a storage extension")
	client, err := ext.GetClient(context.Background(), component.KindReceiver, component.NewID(metadata.Type), "")
	require.NoError(t, err)
	return client
}

// loadCheckpoint is the checkpoint a start on store would resume from (nil when none).
func loadCheckpoint(ctx context.Context, store storage.Client) (*systemlog.Checkpoint, error) {
	return systemlog.ReadCheckpoint(ctx, store)
}

const testHookSecret = "hook-test-secret-value"

// noKeepAliveClient closes each connection after its response, so that no idle connection
// outlives a test.
var noKeepAliveClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

// changesRecorder records what OnChanges received.
type changesRecorder struct {
	mu       sync.Mutex
	triggers []string
	changes  []resource.Change
}

func (r *changesRecorder) onChanges(_ context.Context, trigger string, changes []resource.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.triggers = append(r.triggers, trigger)
	r.changes = append(r.changes, changes...)
}

func (r *changesRecorder) snapshot() ([]string, []resource.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.triggers...), append([]resource.Change(nil), r.changes...)
}
