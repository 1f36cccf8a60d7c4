package systemlog_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
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
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
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
	host   *testkit.StatusHost
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
		store = testkit.NewMapStorage()
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
	host := &testkit.StatusHost{}
	p := systemlog.NewPoller(params)
	require.NoError(t, p.Start(context.Background(), host))
	run := &pollerRun{poller: p, params: params, client: client, host: host}
	t.Cleanup(func() {
		_ = p.Shutdown(context.Background())
		transport.CloseIdleConnections()
	})
	return run
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

// loadCheckpoint is the checkpoint a start on store would resume from (nil when none).
func loadCheckpoint(ctx context.Context, store storage.Client) (*systemlog.Checkpoint, error) {
	return systemlog.ReadCheckpoint(ctx, store)
}
