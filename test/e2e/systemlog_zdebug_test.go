package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"encoding/json"

	"go.etcd.io/bbolt"
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
	p.add(fmt.Sprintf("answered %d first=%s", resp.StatusCode, func() string { if len(ids) > 0 { return ids[0] }; return "" }()))
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
		time.Sleep(200*time.Millisecond + time.Duration(rng.Int64N(int64(1300*time.Millisecond))))
		p.add("KILL")
		coll.kill()
		p.add("OUTPUT " + coll.proc.out.String())
		p.add(dumpState(dir))
		coll.start()
		p.add("STARTED")
	}
	rep := awaitDelivery(t, sim, sink, 60*time.Second, 3*time.Second)
	var all string
	for _, l := range p.lines { all += l + "\n" }
	os.WriteFile("/tmp/dbg-lines.txt", []byte(all), 0o644)
	t.Log(rep)
}

func dumpState(dir string) string {
	out := ""
	for _, sub := range []string{"storage", "queue"} {
		ents, _ := os.ReadDir(dir + "/" + sub)
		for _, e := range ents {
			db, err := bbolt.Open(dir+"/"+sub+"/"+e.Name(), 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
			if err != nil { out += fmt.Sprintf("open %s: %v; ", e.Name(), err); continue }
			_ = db.View(func(tx *bbolt.Tx) error {
				return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
					return b.ForEach(func(k, v []byte) error {
						if string(k) == "system_log_checkpoint" {
							var cp struct{ NextURL string `json:"next_url"`; RecentUUIDs []string `json:"recent_uuids"` }
							_ = json.Unmarshal(v, &cp)
							out += fmt.Sprintf("[%s cp next=%s uuids=%d] ", e.Name(), cp.NextURL, len(cp.RecentUUIDs))
						} else if sub == "queue" {
							out += fmt.Sprintf("[q %s %dB] ", k, len(v))
						}
						return nil
					})
				})
			})
			db.Close()
		}
	}
	return out
}
