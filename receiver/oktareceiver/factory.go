package oktareceiver

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/scraper"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// NewFactory returns the factory of the okta receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogsReceiver, metadata.LogsStability),
		receiver.WithMetrics(createMetricsReceiver, metadata.MetricsStability),
	)
}

// receivers holds one shared oktaReceiver per *Config, so that the logs and the metrics
// pipeline of one receiver block share the client, the budget and the inventory.
var receivers = sharedReceivers{byConfig: map[*Config]*oktaReceiver{}}

type sharedReceivers struct {
	mu       sync.Mutex
	byConfig map[*Config]*oktaReceiver
}

// acquire returns the receiver of cfg, creating it on first use, and counts a user.
func (s *sharedReceivers) acquire(cfg *Config, set receiver.Settings) *oktaReceiver {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byConfig[cfg]
	if !ok {
		r = newOktaReceiver(cfg, set)
		s.byConfig[cfg] = r
	}
	r.users++
	return r
}

// release drops one user; the last one removes the receiver and reports true.
func (s *sharedReceivers) release(cfg *Config, r *oktaReceiver) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.users--
	if r.users > 0 {
		return false
	}
	if s.byConfig[cfg] == r {
		delete(s.byConfig, cfg)
	}
	return true
}

func createLogsReceiver(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	c := cfg.(*Config)
	r := receivers.acquire(c, set)
	r.setLogsConsumer(next)
	return &signalHandle{cfg: c, shared: r}, nil
}

func createMetricsReceiver(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	r := receivers.acquire(c, set)
	s := newMetricsScraper(c, set, r.metricSources)
	sc, err := scraper.NewMetrics(s.scrape)
	if err != nil {
		receivers.release(c, r)
		return nil, err
	}
	cc := scraperhelper.NewDefaultControllerConfig()
	cc.CollectionInterval = c.CollectionInterval
	cc.Timeout = c.CollectionInterval
	ctrl, err := scraperhelper.NewMetricsController(&cc, set, next, scraperhelper.AddMetricsScraper(metadata.Type, sc))
	if err != nil {
		receivers.release(c, r)
		return nil, err
	}
	return &signalHandle{cfg: c, shared: r, inner: ctrl}, nil
}

// signalHandle is what the collector holds for one signal: it starts and stops the
// shared receiver (reference counted) and, for metrics, the scraper controller.
type signalHandle struct {
	cfg    *Config
	shared *oktaReceiver
	inner  component.Component // scraper controller (metrics only)

	mu       sync.Mutex
	started  bool
	released bool
}

func (h *signalHandle) Start(ctx context.Context, host component.Host) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || h.released {
		return nil
	}
	if err := h.shared.start(ctx, host); err != nil {
		return err
	}
	h.started = true
	if h.inner != nil {
		if err := h.inner.Start(ctx, host); err != nil {
			return err
		}
	}
	return nil
}

// Shutdown stops this signal; the last signal of the shared receiver stops it. Safe
// without Start and when called twice.
func (h *signalHandle) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return nil
	}
	h.released = true
	var err error
	if h.inner != nil && h.started {
		err = h.inner.Shutdown(ctx)
	}
	if receivers.release(h.cfg, h.shared) {
		if serr := h.shared.shutdown(ctx); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}
