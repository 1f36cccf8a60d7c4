package systemlog_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// TestSystemLogPoisonEventIsSkippedOnce: one event among 10,000 that the pipeline always
// refuses (transient errors); after max_delivery_attempts refusals its page is delivered event
// by event, the poison event is skipped, counted and logged once, and every other event arrives
// exactly once. The permanent variant isolates at once.
func TestSystemLogPoisonEventIsSkippedOnce(t *testing.T) {
	for name, permanent := range map[string]bool{"transient refusals": false, "permanent refusal": true} {
		t.Run(name, func(t *testing.T) {
			sim := startSim(t, func(o *oktasim.Options) { o.Logs.HistoryEvents = 10_000 })
			truth := sim.persistedUUIDs(t)
			require.Len(t, truth, 10_000)
			poison := truth[4321]
			next := &testkit.PoisonConsumer{Poison: poison, Permanent: permanent, Sink: new(consumertest.LogsSink)}
			cfg := newTestConfig(sim.url)
			cfg.SystemLog.MaxDeliveryAttempts = 3
			core, logs := observer.New(zap.InfoLevel)
			set := receivertest.NewNopSettings(metadata.Type)
			set.Logger = zap.New(core)
			store := testkit.NewMapStorage()
			run := startPollerWithSettings(t, cfg, next, store, nil, set)

			waitDelivered(t, next.Sink.LogRecordCount, len(truth)-1, 30*time.Second)
			want := slices.DeleteFunc(slices.Clone(truth), func(id string) bool { return id == poison })
			requireExactlyOnce(t, want, testkit.DeliveredUUIDs(next.Sink.AllLogs()))
			assert.NotContains(t, testkit.DeliveredUUIDs(next.Sink.AllLogs()), poison)

			st := run.poller.Stats()
			reason := systemlog.SkipReasonRetriesExhausted
			if permanent {
				reason = systemlog.SkipReasonPermanent
				assert.Positive(t, st.Errors[systemlog.ErrKindConsumerPermanent])
				assert.Equal(t, int64(2), next.Refusals.Load(), "the page once, then the event alone once: never retried")
			} else {
				assert.Equal(t, int64(cfg.SystemLog.MaxDeliveryAttempts+1), next.Refusals.Load(),
					"the page max_delivery_attempts times, then the event alone once")
			}
			assert.Equal(t, map[string]int64{reason: 1}, st.Skipped)
			skippedLines := logs.FilterMessageSnippet("Skipped System Log events").All()
			require.Len(t, skippedLines, 1, "logged once")
			fields := skippedLines[0].ContextMap()
			assert.Equal(t, []any{poison}, fields["uuids"])
			assert.Equal(t, reason, fields["reason"])
			assert.Contains(t, fields["error"], "rule \"suspicious\" failed")

			// The checkpoint moved past the poison event: a restart does not offer it again.
			cp, err := loadCheckpoint(context.Background(), store)
			require.NoError(t, err)
			assert.Contains(t, cp.RecentUUIDs, poison)
		})
	}
}

// TestSystemLogOutageIsNotSkippedWithAttemptsOff: max_delivery_attempts 0 keeps the old rule,
// blocking and retrying until the pipeline accepts.
func TestSystemLogOutageIsNotSkippedWithAttemptsOff(t *testing.T) {
	sim := startSim(t, nil)
	next := &switchableConsumer{sink: new(consumertest.LogsSink)}
	next.failing.Store(true)
	cfg := newTestConfig(sim.url)
	cfg.SystemLog.MaxDeliveryAttempts = 0
	run := startPoller(t, cfg, next, nil)
	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindConsumer] >= 20 },
		10*time.Second, 5*time.Millisecond)
	next.failing.Store(false)
	want := sim.persistedUUIDs(t)
	waitDelivered(t, next.sink.LogRecordCount, len(want), 5*time.Second)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(next.sink.AllLogs()))
	assert.Empty(t, run.poller.Stats().Skipped)
}

// linkStripper is a reverse proxy in front of the simulator that removes the Link header while
// strip is set (a proxy that drops it), and records the request URIs.
type linkStripper struct {
	url   string
	strip atomic.Bool
	mu    sync.Mutex
	uris  []string
}

func startLinkStripper(t *testing.T, target string) *linkStripper {
	u, err := url.Parse(target)
	require.NoError(t, err)
	ls := &linkStripper{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if ls.strip.Load() {
			resp.Header.Del("Link")
		}
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/logs") {
			ls.mu.Lock()
			ls.uris = append(ls.uris, r.URL.RequestURI())
			ls.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ls.url = srv.URL
	return ls
}

func (ls *linkStripper) requests() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return slices.Clone(ls.uris)
}

// TestSystemLogAnswerWithoutNextLinkKeepsTheCursor: 2xx answers without a next link are
// reported (status, counter) and the poller asks the same URL again after poll_interval
// instead of inventing a since window; once links come back it follows them.
func TestSystemLogAnswerWithoutNextLinkKeepsTheCursor(t *testing.T) {
	sim := startSim(t, nil)
	proxy := startLinkStripper(t, sim.url)
	proxy.strip.Store(true)
	sink := new(consumertest.LogsSink)
	run := startPoller(t, newTestConfig(proxy.url), sink, nil)

	require.Eventually(t, func() bool { return run.poller.Stats().Errors[systemlog.ErrKindMissingNext] >= 5 },
		10*time.Second, 5*time.Millisecond)
	reqs := proxy.requests()
	for _, r := range reqs[1:] {
		assert.Equal(t, reqs[0], r, "the same request again, not a new since window")
	}
	assert.Contains(t, reqs[0], "since=")
	want := sim.persistedUUIDs(t)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, run.host.Statuses())
	require.NotEmpty(t, run.host.Errs())
	assert.ErrorIs(t, run.host.Errs()[0], systemlog.ErrMissingNextLink)

	proxy.strip.Store(false)
	require.Eventually(t, func() bool {
		r := proxy.requests()
		return strings.Contains(r[len(r)-1], "after=")
	}, 10*time.Second, 5*time.Millisecond, "the next link is followed once it arrives")
	require.Eventually(t, func() bool {
		s := run.host.Statuses()
		return s[len(s)-1] == componentstatus.StatusOK
	}, 5*time.Second, 5*time.Millisecond)
	requireExactlyOnce(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))
}
