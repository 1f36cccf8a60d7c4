package e2e

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// systemLogUIDs returns the log.record.uid of the System Log records of an
// OTLP/HTTP protobuf body.
func systemLogUIDs(body []byte) []string {
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		return nil
	}
	var out []string
	for _, rl := range req.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if uid, ok := lr.Attributes().Get("log.record.uid"); ok {
					out = append(out, uid.AsString())
				}
			}
		}
	}
	return out
}

// TestSystemLogKillBetweenSendAndAck pins down the one place where kill -9
// produces duplicates by design: the backend stored a batch, the collector
// died before reading the answer, and the persistent queue, which cannot
// know, sends that batch again after the restart (OTLP export is
// at-least-once; backends make it exactly-once by keying on
// log.record.uid). The test asserts that nothing is lost and that every
// duplicate belongs to a batch in flight at the kill (reached the backend
// before it, answered after kill - ackSlack or never), i.e. that the
// redelivery is bounded to what was in flight.
func TestSystemLogKillBetweenSendAndAck(t *testing.T) {
	t.Parallel()
	sim := startSimulator(t, exactlyOnceSim...)
	sink := startOTLPSink(t)
	proxy := startExportLedger(t, sink.url)
	dir := t.TempDir()
	health := freePort(t)
	coll := newRestartableCollector(t, dir, durableOptions{}.render(dir, sim.url, proxy.url, health), health)
	coll.start()
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool { return sink.distinct() > 0 }) {
		t.Fatalf("no event reached the sink within 30 s")
	}
	proxy.startHolding()
	select {
	case <-proxy.heldReq:
	case <-time.After(30 * time.Second):
		t.Fatalf("the exporter sent nothing within 30 s while the proxy was holding answers")
	}
	proxy.noteKill()
	coll.kill()
	proxy.stopHolding()
	held := proxy.heldUUIDs()
	coll.start()
	rep := awaitDelivery(t, sim, sink, 60*time.Second)
	t.Logf("kill between send and ack: %s; %d uuids were in the batch(es) whose answer was held", rep, len(held))
	if len(rep.lost) > 0 {
		t.Errorf("%d events lost (first: %v)", len(rep.lost), rep.lost[:min(5, len(rep.lost))])
	}
	// A batch counts as in flight when it reached the backend before the kill and
	// its answer came later or less than ackSlack before it: the collector may not
	// have committed its removal from the queue yet. A receiver that re-read events
	// would send their first copy only after the restart, which this still catches.
	_, unexplained := proxy.classifyDuplicates(rep.duplicated)
	for _, id := range unexplained[:min(10, len(unexplained))] {
		t.Errorf("event %s arrived twice but was not in flight at the kill: redelivery is not bounded to the unacknowledged batches", id)
	}
	if len(unexplained) > 10 {
		t.Errorf("... and %d more such events", len(unexplained)-10)
	}
	if len(held) == 0 {
		t.Errorf("the held request carried no System Log record: the test exercised nothing")
	}
	t.Logf("redelivered after the kill: %d of %d in-flight events (the persistent queue re-sends unacknowledged batches)", len(rep.duplicated), len(held))
}

// heldUUIDs returns the System Log uuids of the requests that were held or
// are still unanswered.
func (l *exportLedger) heldUUIDs() map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for _, r := range l.requests {
		if r.answered.IsZero() {
			for _, id := range r.uuids {
				out[id] = true
			}
		}
	}
	return out
}
