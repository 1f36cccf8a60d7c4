package e2e

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// sinkAttrKeys are the attributes the sink reads of each record.
var sinkAttrKeys = []string{"okta.record.kind", "log.record.uid"}

// otlpSink is an OTLP/HTTP logs endpoint that records the System Log uuids
// (log.record.uid) it receives, the time each was first received, and how
// often each arrived. It can be told to fail, to play a backend outage.
type otlpSink struct {
	mu        sync.Mutex
	counts    map[string]int
	firstSeen map[string]time.Time
	records   int
	failing   bool
	refused   int // requests answered 503 while failing
	srv       *http.Server
	url       string
}

func startOTLPSink(t testing.TB) *otlpSink {
	t.Helper()
	s := &otlpSink{counts: map[string]int{}, firstSeen: map[string]time.Time{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	mustf(t, err, "listen for the OTLP sink")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/logs", s.handleLogs)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

func (s *otlpSink) handleLogs(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Scan first, count after: a malformed request (400) counts nothing.
	var uids []string
	records := 0
	scanErr := scanLogRecordAttrs(body, sinkAttrKeys, func(v []string) {
		records++
		if kind, id := v[0], v[1]; kind == "system_log" && id != "" {
			uids = append(uids, id)
		}
	})
	now := time.Now()
	s.mu.Lock()
	// The outage check and the counting share one critical section: once
	// setFailing(true) has returned, nothing more is recorded.
	if s.failing {
		s.refused++
		s.mu.Unlock()
		http.Error(w, "backend outage (test)", http.StatusServiceUnavailable)
		return
	}
	if scanErr != nil {
		s.mu.Unlock()
		http.Error(w, scanErr.Error(), http.StatusBadRequest)
		return
	}
	s.records += records
	for _, id := range uids {
		if s.counts[id] == 0 {
			s.firstSeen[id] = now
		}
		s.counts[id]++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	resp := plogotlp.NewExportResponse()
	out, _ := resp.MarshalProto()
	_, _ = w.Write(out)
}

// setFailing makes the sink answer 503 (true) or accept again (false). It takes
// effect at once: no request is recorded after setFailing(true) returns.
func (s *otlpSink) setFailing(v bool) {
	s.mu.Lock()
	s.failing = v
	s.mu.Unlock()
}

// refusedRequests returns how many requests the sink answered 503 while failing.
func (s *otlpSink) refusedRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// distinct returns how many distinct System Log uuids arrived (cheap: for progress polling).
func (s *otlpSink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.counts)
}

// snapshot returns a copy of the per-uuid counts and first-seen times.
func (s *otlpSink) snapshot() (map[string]int, map[string]time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := make(map[string]int, len(s.counts))
	seen := make(map[string]time.Time, len(s.firstSeen))
	for k, v := range s.counts {
		counts[k] = v
	}
	for k, v := range s.firstSeen {
		seen[k] = v
	}
	return counts, seen
}
