package e2e

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// ackHoldingProxy sits between the exporter and the OTLP sink. While holding,
// it forwards each request to the sink (which records it) but keeps back the
// answer to requests that carry System Log records, so that the exporter never learns the backend accepted it:
// exactly the moment "between send and ack" at which a kill -9 leaves the
// persistent queue with an item it must send again.
type ackHoldingProxy struct {
	sinkURL string
	url     string

	mu      sync.Mutex
	holding bool
	held    map[string]bool // System Log uuids whose answer was held back
	heldReq chan struct{}   // receives once per held request
	release chan struct{}
}

func startAckHoldingProxy(t *testing.T, sinkURL string) *ackHoldingProxy {
	t.Helper()
	p := &ackHoldingProxy{sinkURL: sinkURL, held: map[string]bool{}, heldReq: make(chan struct{}, 64), release: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustf(t, err, "listen for the proxy")
	srv := &http.Server{Handler: http.HandlerFunc(p.handle), ReadHeaderTimeout: 5 * time.Second}
	p.url = "http://" + ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		p.stopHolding()
		_ = srv.Close()
	})
	return p
}

func (p *ackHoldingProxy) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := http.Post(p.sinkURL+r.URL.Path, r.Header.Get("Content-Type"), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ids := systemLogUIDs(body)
	p.mu.Lock()
	release := p.release
	hold := p.holding && resp.StatusCode == http.StatusOK && len(ids) > 0
	if hold {
		for _, id := range ids {
			p.held[id] = true
		}
	}
	p.mu.Unlock()
	if hold {
		p.heldReq <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

func (p *ackHoldingProxy) startHolding() {
	p.mu.Lock()
	p.holding = true
	p.mu.Unlock()
}

func (p *ackHoldingProxy) stopHolding() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.holding {
		p.holding = false
		close(p.release)
	}
}

func (p *ackHoldingProxy) heldUUIDs() map[string]bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]bool, len(p.held))
	for k := range p.held {
		out[k] = true
	}
	return out
}

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
// duplicate belongs to the batches whose answer was held back, i.e. that
// the redelivery is bounded to what was in flight.
func TestSystemLogKillBetweenSendAndAck(t *testing.T) {
	t.Parallel()
	sim := startSimulator(t, exactlyOnceSim...)
	sink := startOTLPSink(t)
	proxy := startAckHoldingProxy(t, sink.url)
	dir := t.TempDir()
	health := freePort(t)
	coll := newRestartableCollector(t, dir, durableOptions{}.render(dir, sim.url, proxy.url, health), health)
	coll.start()
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool { return len(snapshotCounts(sink)) > 0 }) {
		t.Fatalf("no event reached the sink within 30 s")
	}
	proxy.startHolding()
	select {
	case <-proxy.heldReq:
	case <-time.After(30 * time.Second):
		t.Fatalf("the exporter sent nothing within 30 s while the proxy was holding answers")
	}
	coll.kill()
	proxy.stopHolding()
	held := proxy.heldUUIDs()
	coll.start()
	rep := awaitDelivery(t, sim, sink, 60*time.Second, 3*time.Second)
	t.Logf("kill between send and ack: %s; %d uuids were in the batch(es) whose answer was held", rep, len(held))
	if len(rep.lost) > 0 {
		t.Errorf("%d events lost (first: %v)", len(rep.lost), rep.lost[:min(5, len(rep.lost))])
	}
	for _, id := range rep.duplicated {
		if !held[id] {
			t.Errorf("event %s arrived twice but was not in flight at the kill: redelivery is not bounded to the unacknowledged batch", id)
		}
	}
	if len(held) == 0 {
		t.Errorf("the held request carried no System Log record: the test exercised nothing")
	}
	t.Logf("redelivered after the kill: %d of %d in-flight events (the persistent queue re-sends unacknowledged batches)", len(rep.duplicated), len(held))
}
