package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

type logProxy struct {
	mu   sync.Mutex
	seen map[string]int
	t0   time.Time
	url  string
	sink string
	lines []string
}

func (p *logProxy) add(s string) { p.mu.Lock(); p.lines = append(p.lines, fmt.Sprintf("+%.3f %s", time.Since(p.t0).Seconds(), s)); p.mu.Unlock() }

func (p *logProxy) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ids := systemLogUIDs(body)
	p.mu.Lock()
	dup := 0
	for _, id := range ids { if p.seen[id] > 0 { dup++ }; p.seen[id]++ }
	p.mu.Unlock()
	p.add(fmt.Sprintf("request ids=%d dup=%d first=%s", len(ids), dup, func() string { if len(ids) > 0 { return ids[0] }; return "" }()))
	resp, err := http.Post(p.sink+r.URL.Path, r.Header.Get("Content-Type"), bytes.NewReader(body))
	if err != nil { http.Error(w, err.Error(), 502); return }
	answer, _ := io.ReadAll(resp.Body); resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode); _, _ = w.Write(answer)
}

func TestZDebugKill(t *testing.T) {
	rng := testRand(t)
	sim := startSimulator(t, exactlyOnceSim...)
	sink := startOTLPSink(t)
	p := &logProxy{seen: map[string]int{}, t0: time.Now(), sink: sink.url}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	p.url = "http://" + ln.Addr().String()
	go http.Serve(ln, http.HandlerFunc(p.handle))
	dir := t.TempDir()
	health := freePort(t)
	coll := newRestartableCollector(t, dir, durableOptions{}.render(dir, sim.url, p.url, health), health)
	coll.start()
	for range 10 {
		time.Sleep(300*time.Millisecond + time.Duration(rng.Int64N(int64(2700*time.Millisecond))))
		p.add("KILL")
		coll.kill()
		coll.start()
		p.add("STARTED")
	}
	rep := awaitDelivery(t, sim, sink, 60*time.Second, 3*time.Second)
	for _, l := range p.lines { t.Log(l) }
	t.Log(rep)
}
