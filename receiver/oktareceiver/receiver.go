package oktareceiver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// oktaReceiver is the one instance per receiver configuration shared by the logs and the
// metrics pipeline: the client (and so the rate-limit budget), the storage client, the
// inventory and the System Log poller.
type oktaReceiver struct {
	cfg *Config
	set receiver.Settings

	users int // signal handles holding this receiver (guarded by receivers.mu)

	mu       sync.Mutex
	started  bool
	stopped  bool
	logsNext consumer.Logs

	client  *oktaapi.Client
	storage storage.Client
	inv     *inventory.Inventory
	poller  *systemlog.Poller
	hooks   *systemlog.HookServer

	// sources are what the metrics scraper reads, published at the end of start: the
	// scraper never takes mu nor reads the fields above.
	sources atomic.Pointer[metricSources]
}

// metricSources returns the snapshot functions of the running parts (nil before start).
func (r *oktaReceiver) metricSources() *metricSources { return r.sources.Load() }

// publishSources makes the started parts readable by the metrics scraper.
func (r *oktaReceiver) publishSources() {
	src := &metricSources{inventory: r.inv, rateLimits: r.client.RateLimits, resource: r.fillResource}
	switch {
	case r.poller != nil:
		src.systemLog = r.poller.Stats
	case r.hooks != nil:
		src.systemLog = r.hooks.Stats
	}
	r.sources.Store(src)
}

func newOktaReceiver(cfg *Config, set receiver.Settings) *oktaReceiver {
	return &oktaReceiver{cfg: cfg, set: set}
}

func (r *oktaReceiver) setLogsConsumer(next consumer.Logs) {
	r.mu.Lock()
	r.logsNext = next
	r.mu.Unlock()
}

// start builds the client and the storage client and starts the inventory and the System
// Log poller. It does not call Okta (the first requests happen in the background), so a
// slow or unreachable org never blocks the collector's start. Idempotent.
func (r *oktaReceiver) start(ctx context.Context, host component.Host) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return nil
	}
	hc, err := r.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), r.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("okta receiver: http client: %w", err)
	}
	var leader oktaapi.Leader
	if r.cfg.LeaderElector != nil {
		if leader, err = resolveLeaderElector(host, *r.cfg.LeaderElector); err != nil {
			hc.CloseIdleConnections()
			return fmt.Errorf("okta receiver: %w", err)
		}
	}
	client, err := newClient(r.cfg, hc, r.set.BuildInfo, r.set.Logger, leader)
	if err != nil {
		hc.CloseIdleConnections()
		return fmt.Errorf("okta receiver: %w", err)
	}
	st, err := getStorageClient(ctx, host, r.cfg.StorageID, r.set.ID)
	if err != nil {
		client.Close()
		return fmt.Errorf("okta receiver: %w", err)
	}
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: r.set.ID, Transport: "http", ReceiverCreateSettings: r.set,
	})
	if err != nil {
		client.Close()
		_ = st.Close(ctx)
		return fmt.Errorf("okta receiver: obsreport: %w", err)
	}
	next := r.logsNext
	if next == nil {
		next = consumertest.NewNop() // metrics-only pipelines: the inventory still feeds the counts
	}
	r.client, r.storage = client, st
	// One emit path for the inventory and the System Log.
	out := emit.New(next, obsrecv, r.fillResource)

	r.inv = inventory.New(inventory.Params{
		Settings: inventorySettings(r.cfg), Telemetry: r.set.TelemetrySettings, Client: client, Storage: st, Emit: out,
	})
	// The poller and the hook endpoint share one dedupe window and checkpoint.
	slParams := r.systemLogParams(client, st, out)
	if r.cfg.SystemLog.Enabled {
		r.poller = systemlog.NewPoller(slParams)
		if err := r.poller.Start(ctx, host); err != nil {
			_ = r.release(ctx)
			return fmt.Errorf("okta receiver: system log: %w", err)
		}
	}
	if r.cfg.EventHooks.Enabled {
		r.hooks = systemlog.NewHookServer(slParams)
		if err := r.hooks.Start(ctx, host); err != nil {
			_ = r.release(ctx)
			return fmt.Errorf("okta receiver: %w", err)
		}
	}
	r.inv.Start(ctx, host)
	r.started = true
	r.publishSources()
	r.set.Logger.Info("Okta receiver started", zap.String("org", client.OrgURL()),
		zap.Bool("system_log", r.cfg.SystemLog.Enabled), zap.Bool("event_hooks", r.cfg.EventHooks.Enabled))
	return nil
}

// systemLogParams are the parameters of the System Log poller and of the event hook endpoint:
// one Shared, so that both feed one dedupe window and one checkpoint, and the inventory told of
// the changes their events announce.
func (r *oktaReceiver) systemLogParams(client *oktaapi.Client, st storage.Client, out *emit.Emitter) systemlog.Params {
	storageID := ""
	if r.cfg.StorageID != nil {
		storageID = r.cfg.StorageID.String()
	}
	return systemlog.Params{
		Config: &r.cfg.SystemLog, Hooks: &r.cfg.EventHooks, Telemetry: r.set,
		OrgURL: r.cfg.ClientConfig.Endpoint, StorageID: storageID,
		Client: client, Storage: st, Emit: out,
		OnChanges: r.inv.HandleChanges, Shared: systemlog.NewShared(&r.cfg.SystemLog),
	}
}

// shutdown stops everything start started, in reverse order. Safe without start and twice.
func (r *oktaReceiver) shutdown(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true
	return r.release(ctx)
}

// release stops the background work and closes the storage client and idle connections.
func (r *oktaReceiver) release(ctx context.Context) error {
	var errs []error
	if r.hooks != nil {
		errs = append(errs, r.hooks.Shutdown(ctx))
	}
	if r.poller != nil {
		errs = append(errs, r.poller.Shutdown(ctx))
	}
	r.inv.Shutdown()
	if r.storage != nil {
		errs = append(errs, r.storage.Close(ctx))
		r.storage = nil
	}
	r.client.Close()
	return errors.Join(errs...)
}

// fillResource sets okta.org.url and, once known, okta.org.id (respecting the
// resource_attributes toggles).
func (r *oktaReceiver) fillResource(res pcommon.Resource) {
	rb := metadata.NewResourceBuilder(r.cfg.MetricsBuilderConfig.ResourceAttributes)
	rb.SetOktaOrgURL(r.cfg.ClientConfig.Endpoint)
	if r.client != nil {
		if id := r.client.Org().ID; id != "" {
			rb.SetOktaOrgID(id)
		}
	}
	rb.Emit().MoveTo(res)
}
