package oktasim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLogsControlInjectFullEventsAndUUIDPaging(t *testing.T) {
	_, base := startLogsServer(t, nil)
	full := map[string]any{
		"uuid": "custom-uuid-not-canonical", "eventType": "user.account.lock", "severity": "WARN",
		"published": "2025-05-20T08:00:00.000Z", "actor": map[string]any{"id": "00uInjected000000001", "type": "User"},
	}
	ids := inject(t, base, map[string]any{"events": []any{full, map[string]any{"eventType": "user.session.end"}}, "count": 3})
	if len(ids) != 5 || ids[0] != "custom-uuid-not-canonical" || len(ids[1]) != 36 {
		t.Fatalf("inject answer %v", ids)
	}
	page := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute)}))
	if got := uuidsOf(page.events); !equalStrings(got, ids) {
		t.Fatalf("log %v, want %v", got, ids)
	}
	if page.events[0]["published"] != "2025-05-20T08:00:00.000Z" || page.events[0]["version"] != "0" {
		t.Errorf("injected event as stored: %v", page.events[0])
	}
	resp, err := http.Get(base + "/_sim/events/uuids?offset=1&limit=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Count int
		UUIDs []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Count != 5 || !equalStrings(out.UUIDs, ids[1:3]) {
		t.Errorf("uuids page: %+v, want count 5 and %v", out, ids[1:3])
	}
	if all := groundTruthUUIDs(t, base); !equalStrings(all, ids) {
		t.Errorf("all uuids %v, want %v", all, ids)
	}
}

func TestLogsControlRejectsBadInput(t *testing.T) {
	_, base := startLogsServer(t, nil)
	cases := []struct {
		method, path string
		body         any
		mentions     string
	}{
		{http.MethodPost, "/_sim/events", map[string]any{"events": []any{map[string]any{"uuid": "x"}}}, "events[0]: eventType"},
		{http.MethodPost, "/_sim/events", map[string]any{"specs": []any{map[string]any{}}}, "specs[0].eventType"},
		{http.MethodPost, "/_sim/events", map[string]any{"lateMs": -5}, "lateMs"},
		{http.MethodPost, "/_sim/events", map[string]any{"events": []any{map[string]any{"eventType": "a", "published": "soon"}}}, "published"},
		{http.MethodPost, "/_sim/events", map[string]any{"unknown": 1}, "unknown"},
		{http.MethodPut, "/_sim/events/rate", map[string]any{"eventsPerSec": -1}, "eventsPerSec"},
		{http.MethodPut, "/_sim/events/rate", map[string]any{}, "eventsPerSec"},
	}
	for _, c := range cases {
		status, raw := postControl(t, c.method, base+c.path, c.body)
		if status != http.StatusBadRequest || !strings.Contains(string(raw), c.mentions) {
			t.Errorf("%s %s %v: %d %s (want 400 naming %q)", c.method, c.path, c.body, status, raw, c.mentions)
		}
	}
	if status, raw := postControl(t, http.MethodPut, base+"/_sim/events/rate", map[string]any{"eventsPerSec": 500}); status != http.StatusOK {
		t.Fatalf("PUT rate 500: %d %s", status, raw)
	}
	eventually(t, 3*time.Second, "the generator to start at the new rate", func() bool { return len(groundTruthUUIDs(t, base)) > 20 })
}

func TestLogsControlRoutesOnlyWithControl(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) { o.Control = false })
	resp, err := http.Get(base + "/_sim/events/uuids")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("control route served without Options.Control")
	}
}

func TestLogsOptionsValidation(t *testing.T) {
	for name, mutate := range map[string]func(*LogOptions){
		"late-share":      func(o *LogOptions) { o.LateShare = 1.5 },
		"events-per-sec":  func(o *LogOptions) { o.EventsPerSec = -1 },
		"max-log-events":  func(o *LogOptions) { o.MaxEvents = 0 },
		"hook-retries":    func(o *LogOptions) { o.Hooks.Retries = -1 },
		"hook-batch-size": func(o *LogOptions) { o.Hooks.BatchSize = 0 },
	} {
		opts := DefaultLogOptions()
		mutate(&opts)
		if _, err := newLogStore(opts, nil, time.Now); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the flag", name, err)
		}
	}
}

func TestLogsRetentionEvictsOldestFirst(t *testing.T) {
	opts := DefaultLogOptions()
	opts.HistoryEvents = 0
	opts.MaxEvents = 100
	l, err := newLogStore(opts, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 10 {
		batch, _ := l.generateBatch(20, time.Now(), 0)
		l.persist(batch)
		for _, ev := range batch {
			ids = append(ids, ev.uuid)
		}
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if n := len(l.bySeq); n < 100 || n > 100+100/8 || len(l.byPublished) != n {
		t.Fatalf("retained %d by sequence, %d by published; want 100..112 and equal", n, len(l.byPublished))
	}
	if last := l.bySeq[len(l.bySeq)-1]; last.uuid != ids[len(ids)-1] || l.bySeq[0].seq != last.seq-uint64(len(l.bySeq))+1 {
		t.Fatalf("eviction did not drop the oldest events first")
	}
	if l.uuids.len() != 200 || l.evicted != uint64(200-len(l.bySeq)) {
		t.Fatalf("ground truth %d uuids, %d evicted", l.uuids.len(), l.evicted)
	}
}

// TestLogsRateZeroMakesTheGroundTruthFinal: once PUT /_sim/events/rate 0 has
// answered, no event is generated any more: the events already pending are
// the only ones still to be persisted, and the stats count each late event
// either as pending or as persisted.
func TestLogsRateZeroMakesTheGroundTruthFinal(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) {
		o.Logs.EventsPerSec = 5000
		o.Logs.LateShare = 0.3
		o.Logs.LateDelay = 200 * time.Millisecond
	})
	eventually(t, 5*time.Second, "late events to be queued", func() bool { return logStoreStats(t, base).Pending > 0 })
	status, raw := postControl(t, http.MethodPut, base+"/_sim/events/rate", map[string]any{"eventsPerSec": 0})
	if status != http.StatusOK {
		t.Fatalf("PUT rate: %d %s", status, raw)
	}
	stopped := logStoreStats(t, base)
	if stopped.EventsPerSec != 0 {
		t.Fatalf("stats after PUT rate 0: %+v", stopped)
	}
	eventually(t, 5*time.Second, "the pending late events to be persisted", func() bool {
		return logStoreStats(t, base).Pending == 0
	})
	final := logStoreStats(t, base)
	if final.Persisted != stopped.Persisted+uint64(stopped.Pending) {
		t.Errorf("after rate 0: %d persisted + %d pending, then %d persisted: events were generated after the PUT answered",
			stopped.Persisted, stopped.Pending, final.Persisted)
	}
	if got := len(groundTruthUUIDs(t, base)); uint64(got) != final.Persisted {
		t.Errorf("ground truth lists %d uuids, stats say %d persisted", got, final.Persisted)
	}
}
