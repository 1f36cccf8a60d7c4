package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"testing"
	"time"
)

// simUUIDs returns every System Log uuid the simulator has persisted, in
// persistence order (GET /_sim/events/uuids, paged).
func (s *simulator) simUUIDs(t testing.TB) []string {
	t.Helper()
	var all []string
	for {
		var page struct {
			Count   int      `json:"count"`
			UUIDs   []string `json:"uuids"`
			Evicted int      `json:"evicted"`
		}
		s.getJSON(t, "/_sim/events/uuids?offset="+strconv.Itoa(len(all))+"&limit=50000", &page)
		if page.Evicted != 0 {
			t.Fatalf("the simulator evicted %d events: raise --max-log-events, the ground truth is incomplete", page.Evicted)
		}
		all = append(all, page.UUIDs...)
		if len(page.UUIDs) == 0 || len(all) >= page.Count {
			return all
		}
	}
}

// eventStats is oktasim's GET /_sim/events/stats.
type eventStats struct {
	Retained    int     `json:"retained"`
	Persisted   int     `json:"persisted"`
	Evicted     int     `json:"evicted"`
	PendingLate int     `json:"pendingLate"`
	EventsPer   float64 `json:"eventsPerSec"`
}

func (s *simulator) eventStats(t testing.TB) eventStats {
	t.Helper()
	var st eventStats
	s.getJSON(t, "/_sim/events/stats", &st)
	return st
}

// systemLogPolls returns how many System Log requests the simulator answered other than
// with a rate-limit 429 (its "logs" bucket: requests minus limited ones).
func (s *simulator) systemLogPolls(t testing.TB) int {
	t.Helper()
	var st struct {
		Buckets map[string]struct {
			Requests int `json:"requests"`
			Limited  int `json:"limited"`
		} `json:"buckets"`
	}
	s.getJSON(t, "/_sim/stats", &st)
	b := st.Buckets["logs"]
	return b.Requests - b.Limited
}

// control sends a control-API request with a JSON body and fails the test
// unless the simulator answers 2xx.
func (s *simulator) control(t testing.TB, method, path string, body any) {
	t.Helper()
	if err := s.controlErr(method, path, body); err != nil {
		t.Fatal(err)
	}
}

func (s *simulator) controlErr(method, path string, body any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, msg)
	}
	return nil
}

// stopGenerator sets the event rate to 0 and waits until no late event is
// pending, so that the ground truth is final.
func (s *simulator) stopGenerator(t testing.TB) {
	t.Helper()
	s.control(t, http.MethodPut, "/_sim/events/rate", map[string]float64{"eventsPerSec": 0})
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool {
		return s.eventStats(t).PendingLate == 0
	}) {
		t.Fatalf("late events still pending 30s after the generator stopped: %+v", s.eventStats(t))
	}
}

// deliveryReport compares what reached the sink with the simulator's ground truth.
type deliveryReport struct {
	truth      int
	received   int      // distinct ground-truth uuids received
	lost       []string // ground-truth uuids never received
	duplicated []string // uuids received more than once
	extra      []string // uuids received that the simulator never persisted
	copies     int      // total surplus copies (sum of count-1)
}

func compareDelivery(truth []string, counts map[string]int) deliveryReport {
	r := deliveryReport{truth: len(truth)}
	inTruth := make(map[string]bool, len(truth))
	for _, id := range truth {
		inTruth[id] = true
		if counts[id] == 0 {
			r.lost = append(r.lost, id)
		} else {
			r.received++
		}
	}
	for id, n := range counts {
		if n > 1 {
			r.duplicated = append(r.duplicated, id)
			r.copies += n - 1
		}
		if !inTruth[id] {
			r.extra = append(r.extra, id)
		}
	}
	sort.Strings(r.duplicated)
	sort.Strings(r.extra)
	return r
}

func (r deliveryReport) String() string {
	return fmt.Sprintf("events=%d received=%d lost=%d duplicated=%d (surplus copies %d) unknown=%d",
		r.truth, r.received, len(r.lost), len(r.duplicated), r.copies, len(r.extra))
}

// awaitDelivery stops the generator, takes the final ground truth and waits
// until every uuid reached the sink (or timeout), then keeps observing the
// sink so that late duplicates show up too (see observeLateCopies). It
// returns the comparison.
func awaitDelivery(t testing.TB, sim *simulator, sink *otlpSink, timeout time.Duration) deliveryReport {
	t.Helper()
	sim.stopGenerator(t)
	truth := sim.simUUIDs(t)
	var rep deliveryReport
	waitFor(context.Background(), timeout, 250*time.Millisecond, func() bool {
		counts, _ := sink.snapshot()
		rep = compareDelivery(truth, counts)
		return len(rep.lost) == 0
	})
	if len(rep.lost) > 0 {
		return rep
	}
	observeLateCopies(t, sim)
	counts, _ := sink.snapshot()
	return compareDelivery(truth, counts)
}

// lateCopyPolls and lateCopyMin bound the observation for late duplicates once every event
// has arrived. A late copy is either a poll re-reading events, which reaches the exporter
// with that poll, or an exporter re-send, which comes within the exporter's retry
// max_interval (1 s) plus its batch flush (200 ms) of the answer it retries. A caught-up
// receiver makes one System Log request per poll. Of three answered requests after every
// event arrived, the first may have been in flight already, the second is a full poll that
// started after they all arrived, and the third starts one poll interval (>= 1 s in these
// tests) after the second: whatever the second re-read had that long to reach the sink.
const (
	lateCopyPolls = 3
	lateCopyMin   = 1200 * time.Millisecond
)

// observeLateCopies returns once the receiver has made lateCopyPolls more answered System
// Log requests and at least lateCopyMin has passed. A receiver that does not poll fails the
// test: the observation would prove nothing.
func observeLateCopies(t testing.TB, sim *simulator) {
	t.Helper()
	start, before := time.Now(), sim.systemLogPolls(t)
	polls := before
	// Two minutes: a poll held back by a 429 waits for the rate-limit window's reset (60 s).
	if !waitFor(context.Background(), 2*time.Minute, 100*time.Millisecond, func() bool {
		polls = sim.systemLogPolls(t)
		return polls >= before+lateCopyPolls && time.Since(start) >= lateCopyMin
	}) {
		t.Fatalf("the receiver made %d answered System Log requests in 2 minutes after every event arrived, want %d: "+
			"the observation for late duplicates proves nothing", polls-before, lateCopyPolls)
	}
	t.Logf("observed the sink for late copies during %d System Log polls (%s)", polls-before, time.Since(start).Round(time.Millisecond))
}

// assertExactlyOnce prints the "lost=N duplicated=M" line and fails unless both are 0.
func assertExactlyOnce(t testing.TB, name string, rep deliveryReport) {
	t.Helper()
	t.Logf("%s: %s", name, rep)
	fmt.Printf("%s: lost=%d duplicated=%d (events=%d)\n", name, len(rep.lost), len(rep.duplicated), rep.truth)
	if len(rep.lost) > 0 {
		t.Errorf("%d of %d System Log events never reached the sink (first: %v)", len(rep.lost), rep.truth, rep.lost[:min(5, len(rep.lost))])
	}
	if len(rep.duplicated) > 0 {
		t.Errorf("%d System Log events reached the sink more than once (%d surplus copies; first: %v)", len(rep.duplicated), rep.copies, rep.duplicated[:min(5, len(rep.duplicated))])
	}
	if len(rep.extra) > 0 {
		t.Errorf("%d uuids reached the sink that the simulator never persisted (first: %v)", len(rep.extra), rep.extra[:min(5, len(rep.extra))])
	}
	if rep.truth == 0 {
		t.Errorf("the simulator persisted no event: the test proves nothing")
	}
}
