package systemlog_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// The helpers below let a test wait for what it means ("every late event is persisted", "the
// poller completed two more polls") instead of sleeping for a time that usually suffices.

// settlePolls is how many further completed polls a test waits for before it asserts that
// nothing more arrives: the first may have been fetched before the test's last observation,
// the second was fetched and delivered entirely after it, so an event that would be delivered
// again (a duplicate) has had a whole poll to arrive.
const settlePolls = 2

// waitPolls waits until the poller has completed n more polls (pages fetched and accepted by
// the pipeline, empty pages included) than when it was called.
func waitPolls(t *testing.T, run *pollerRun, n int64, within time.Duration) {
	t.Helper()
	start := run.poller.Stats().Pages
	require.Eventuallyf(t, func() bool { return run.poller.Stats().Pages >= start+n }, within, 5*time.Millisecond,
		"the poller did not complete %d more polls (started at %d)", n, start)
}

// simEventStats is GET /_sim/events/stats: the simulator's System Log counters.
type simEventStats struct {
	Persisted   uint64 `json:"persisted"`
	PendingLate int    `json:"pendingLate"`
}

func (s *testSim) eventStats(t *testing.T) simEventStats {
	t.Helper()
	var out simEventStats
	s.control(t, http.MethodGet, "/_sim/events/stats", nil, &out)
	return out
}

// waitPersisted waits until the simulator has persisted at least n events in all (history,
// generated and late ones).
func (s *testSim) waitPersisted(t *testing.T, n uint64, within time.Duration) {
	t.Helper()
	require.Eventuallyf(t, func() bool { return s.eventStats(t).Persisted >= n }, within, 10*time.Millisecond,
		"the simulator persisted fewer than %d events", n)
}

// waitNoLateEvents waits until no generated event is still waiting to be persisted late. With
// the generator stopped (setRate 0), the persisted events are then final.
func (s *testSim) waitNoLateEvents(t *testing.T, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return s.eventStats(t).PendingLate == 0 }, within, 10*time.Millisecond,
		"late events still pending in the simulator")
}

// simHook is one registered event hook of GET /_sim/hooks.
type simHook struct {
	Deliveries struct {
		Attempted uint64 `json:"attempted"`
		Succeeded uint64 `json:"succeeded"`
		Failed    uint64 `json:"failed"`
		Retried   uint64 `json:"retried"`
	} `json:"deliveries"`
	EventsPending int `json:"eventsPending"`
}

// waitHooksSettled waits until every registered hook has no event waiting for a delivery and
// no delivery POST in flight or waiting for its retry (each attempt has ended as a success, a
// failure or a retry).
func (s *testSim) waitHooksSettled(t *testing.T, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool {
		var out struct {
			Hooks []simHook `json:"hooks"`
		}
		s.control(t, http.MethodGet, "/_sim/hooks", nil, &out)
		for _, h := range out.Hooks {
			d := h.Deliveries
			if h.EventsPending > 0 || d.Attempted != d.Succeeded+d.Failed+d.Retried {
				return false
			}
		}
		return true
	}, within, 10*time.Millisecond, "event hook deliveries still pending or in flight")
}

// logRequestsSince returns the recorded System Log requests (GET /api/v1/logs) with a sequence
// number above since, in arrival order, and the last sequence number seen. The simulator must
// record requests (Platform.RecordRequests).
func (s *testSim) logRequestsSince(t *testing.T, since int64) ([]oktasim.RequestRecord, int64) {
	t.Helper()
	var log oktasim.RequestLog
	s.control(t, http.MethodGet, "/_sim/requests?since="+strconv.FormatInt(since, 10), nil, &log)
	require.Zero(t, log.Dropped, "the request log must keep every request of the test")
	var out []oktasim.RequestRecord
	last := since
	for _, r := range log.Requests {
		last = max(last, r.Seq)
		if r.Method == http.MethodGet && r.Template == "/api/v1/logs" {
			out = append(out, r)
		}
	}
	return out, last
}

// requireArrivalGaps fails unless consecutive requests arrived at least min apart.
func requireArrivalGaps(t *testing.T, reqs []oktasim.RequestRecord, minGap time.Duration, what string) {
	t.Helper()
	for i := 1; i < len(reqs); i++ {
		gap := reqs[i].At.Sub(reqs[i-1].At)
		require.GreaterOrEqualf(t, gap, minGap, "%s: request %d arrived %v after the previous one", what, reqs[i].Seq, gap)
	}
}

// pollUntil checks cond every few milliseconds until it holds (true) or within has passed
// (false). Unlike require.Eventually it may run outside the test goroutine (in a consumer).
func pollUntil(within time.Duration, cond func() bool) bool {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(within)
	for !cond() {
		select {
		case <-deadline:
			return cond()
		case <-tick.C:
		}
	}
	return true
}
