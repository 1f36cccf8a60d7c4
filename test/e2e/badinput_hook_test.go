package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hookAbuseConfig runs the hook endpoint of the real binary in front of the OTLP sink, with
// the System Log poller off (the hook is the only source of System Log records) and the
// hook's read_timeout shortened to {{READTIMEOUT}} so that the lying-length probe is quick.
const hookAbuseConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    collection_interval: 10s
    inventory:
      full_sync_interval: 1h
      incremental_interval: 10m
    system_log:
      enabled: false
    event_hooks:
      enabled: true
      server:
        endpoint: 127.0.0.1:{{HOOK}}
        read_timeout: {{READTIMEOUT}}
      path: /okta/events
      secret: ${env:OKTA_HOOK_SECRET}
exporters:
  otlp_http/sink:
    logs_endpoint: {{SINK}}/v1/logs
    encoding: proto
    compression: none
    timeout: 30s
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      exporters: [otlp_http/sink]
`

// hookTarget is a running collector whose hook endpoint takes deliveries.
type hookTarget struct {
	t      testing.TB
	url    string
	secret string
	coll   *process
	sink   *otlpSink
	client *http.Client
}

func startHookTarget(t testing.TB, readTimeout time.Duration) *hookTarget {
	t.Helper()
	sim := startSimulator(t, "--users", "10", "--groups", "3", "--apps", "2", "--events-per-sec", "0", "--history-events", "0")
	sink := startOTLPSink(t)
	dir := t.TempDir()
	health, hook := freePort(t), freePort(t)
	secret := "hook-abuse-secret-" + strconv.Itoa(hook)
	cfg := render(hookAbuseConfig, map[string]string{
		"SIM": sim.url, "SINK": sink.url, "HEALTH": strconv.Itoa(health), "HOOK": strconv.Itoa(hook),
		"READTIMEOUT": readTimeout.String(),
	})
	coll := startCollector(t, dir, cfg, health, "OKTA_HOOK_SECRET="+secret)
	return &hookTarget{
		t: t, url: fmt.Sprintf("http://127.0.0.1:%d/okta/events", hook), secret: secret, coll: coll, sink: sink,
		client: &http.Client{Timeout: 30 * time.Second},
	}
}

// post sends one delivery body and returns the status and the answer.
func (h *hookTarget) post(body []byte) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", h.secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(msg), nil
}

// hookLogEvent is a LogEvent of about size bytes (padded in debugContext) with the given uuid.
func hookLogEvent(uuid string, size int) string {
	head := `{"uuid":"` + uuid + `","published":"` + time.Now().UTC().Format("2006-01-02T15:04:05.000Z") +
		`","eventType":"user.session.start","version":"0","severity":"INFO","displayMessage":"User login to Okta",` +
		`"actor":{"id":"00uabuse0000000001","type":"User","alternateId":"abuse@example.org","displayName":"Abuse Test"},` +
		`"outcome":{"result":"SUCCESS"},"client":{"ipAddress":"198.51.100.7","userAgent":{"rawUserAgent":"curl/8"}},` +
		`"debugContext":{"debugData":{"requestId":"`
	tail := `"}},"target":[]}`
	pad := max(0, size-len(head)-len(tail))
	return head + strings.Repeat("x", pad) + tail
}

func hookDelivery(events []string) []byte {
	return []byte(`{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","data":{"events":[` + strings.Join(events, ",") + `]}}`)
}

// maxSizeDelivery is a delivery at both limits: 1000 events (max_events_per_delivery) in just
// under 1 MiB (max_body_size), each event with its own uuid (prefix-i).
func maxSizeDelivery(prefix string) []byte {
	events := make([]string, 1000)
	for i := range events {
		events[i] = hookLogEvent(fmt.Sprintf("%s-%04d", prefix, i), 1040)
	}
	return hookDelivery(events)
}

// validProber sends a valid one-event delivery every interval until stopped, and remembers the
// uuids sent and every answer that was not 200.
type validProber struct {
	sent   []string
	failed []string
	mu     sync.Mutex
	stop   chan struct{}
	done   chan struct{}
}

func startValidProber(h *hookTarget, interval time.Duration) *validProber {
	p := &validProber{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for i := 0; ; i++ {
			select {
			case <-p.stop:
				return
			case <-time.After(interval):
			}
			uuid := fmt.Sprintf("0000prob-e000-4000-8000-%012d", i)
			status, msg, err := h.post(hookDelivery([]string{hookLogEvent(uuid, 600)}))
			p.mu.Lock()
			p.sent = append(p.sent, uuid)
			if err != nil || status != http.StatusOK {
				p.failed = append(p.failed, fmt.Sprintf("%s: status %d %q err %v", uuid, status, strings.TrimSpace(msg), err))
			}
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *validProber) finish() (sent, failed []string) {
	close(p.stop)
	<-p.done
	return p.sent, p.failed
}

// rawDelivery writes a POST declaring contentLength but sending only body, and returns the
// first line of the answer (or the read error) and how long it took.
func rawDelivery(t testing.TB, h *hookTarget, contentLength int, body string) (string, time.Duration, error) {
	t.Helper()
	addr := strings.TrimPrefix(strings.TrimSuffix(h.url, "/okta/events"), "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	mustf(t, err, "dial the hook endpoint")
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "POST /okta/events HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		addr, h.secret, contentLength, body)
	mustf(t, err, "write the request")
	mustf(t, conn.SetReadDeadline(time.Now().Add(60*time.Second)), "read deadline")
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), time.Since(start), err
}

// TestBadInputHookAbuse attacks the hook endpoint of the real binary with what Okta never
// sends, while a prober keeps sending valid deliveries: floods of `{}`, events without a usable
// uuid, lying Content-Length headers, and 20 concurrent deliveries at both size limits. Every
// bad request is refused before any record is built, the valid deliveries are all answered 200
// and arrive exactly once, and the collector's peak RSS stays bounded.
func TestBadInputHookAbuse(t *testing.T) {
	const readTimeout = 2 * time.Second
	h := startHookTarget(t, readTimeout)
	rssBefore, err := peakRSSMiB(h.coll.cmd.Process.Pid)
	mustf(t, err, "collector RSS")
	prober := startValidProber(h, 100*time.Millisecond)

	// 1. Four concurrent floods of `{}` just under max_body_size.
	flood := hookDelivery([]string{strings.TrimSuffix(strings.Repeat("{},", (1<<20-100)/3), ",")})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			status, msg, err := h.post(flood)
			if err != nil || status != http.StatusBadRequest || !strings.Contains(msg, "data.events[0] is not a LogEvent object") {
				t.Errorf("{} flood: status %d %q err %v, want 400 naming data.events[0]", status, msg, err)
			}
		})
	}
	wg.Wait()

	// 2. Events without a usable uuid.
	for _, ev := range []string{`{"eventType":"x"}`, `{"uuid":"","eventType":"x"}`, `{"uuid":null,"eventType":"x"}`, `{"uuid":7,"eventType":"x"}`} {
		status, msg, err := h.post(hookDelivery([]string{hookLogEvent("fine-uuid-1", 300), ev}))
		if err != nil || status != http.StatusBadRequest || !strings.Contains(msg, "data.events[1].uuid must be a non-empty string") {
			t.Errorf("event %s: status %d %q err %v, want 400 naming data.events[1].uuid", ev, status, msg, err)
		}
	}

	// 3. Lying Content-Length: above max_body_size is refused from the headers; a body that
	// never arrives is cut off at read_timeout.
	line, _, err := rawDelivery(t, h, 10<<20, `{"data":`)
	if err != nil || !strings.Contains(line, "413") {
		t.Errorf("declared 10 MiB, sent 8 bytes: answer %q err %v, want 413 at once", line, err)
	}
	line, took, err := rawDelivery(t, h, 4096, `{"data":`)
	switch {
	case err == nil && !strings.Contains(line, "408"):
		t.Errorf("declared 4096 bytes, sent 8: answer %q, want 408", line)
	case took > readTimeout+10*time.Second:
		t.Errorf("declared 4096 bytes, sent 8: the connection was held %s (read_timeout %s)", took, readTimeout)
	}
	t.Logf("lying Content-Length (4096 declared, 8 sent): %q after %s (read_timeout %s)", line, took.Round(100*time.Millisecond), readTimeout)

	// 4. Twenty concurrent deliveries at both limits (1000 events, ~1 MiB each).
	bodies := make([][]byte, 20)
	for i := range bodies {
		bodies[i] = maxSizeDelivery(fmt.Sprintf("%08d-max0-4000-8000", i))
	}
	for i := range bodies {
		wg.Go(func() {
			status, msg, err := h.post(bodies[i])
			if err != nil || status != http.StatusOK {
				t.Errorf("max-size delivery %d (%d bytes): status %d %q err %v", i, len(bodies[i]), status, msg, err)
			}
		})
	}
	wg.Wait()

	sent, failed := prober.finish()
	for _, f := range failed {
		t.Errorf("a valid delivery was not answered 200 during the abuse: %s", f)
	}
	peak, err := peakRSSMiB(h.coll.cmd.Process.Pid)
	mustf(t, err, "collector peak RSS")
	t.Logf("collector peak RSS %.0f MiB after the floods and 20 concurrent max-size deliveries (%.0f MiB before); %d valid deliveries answered during the abuse",
		peak, rssBefore, len(sent))
	// 20 × 1 MiB bodies, two decoded at a time: a few hundred MiB at most. A delivery whose
	// events multiply into records (a 1 MiB body of {} became 349,512 records) reached GBs.
	if peak > 600 {
		t.Errorf("peak RSS %.0f MiB: memory per delivery is not bounded", peak)
	}

	want := append([]string(nil), sent...)
	for i := range bodies {
		for j := range 1000 {
			want = append(want, fmt.Sprintf("%08d-max0-4000-8000-%04d", i, j))
		}
	}
	if !waitFor(context.Background(), 60*time.Second, 200*time.Millisecond, func() bool { return h.sink.distinct() >= len(want) }) {
		t.Errorf("the sink holds %d distinct uuids, want %d", h.sink.distinct(), len(want))
	}
	counts, _ := h.sink.snapshot()
	for _, id := range want {
		if counts[id] != 1 {
			t.Errorf("uuid %s reached the sink %d times, want once", id, counts[id])
			break
		}
	}
	if extra := len(counts) - len(want); extra != 0 {
		t.Errorf("the sink holds %d uuids beyond the valid deliveries: a refused delivery leaked records", extra)
	}
	if h.coll.exited() {
		t.Fatalf("the collector exited: %v", h.coll.err)
	}
}

// BenchmarkEventHookConcurrentMaxDeliveries measures the collector's peak RSS (VmHWM) while 20
// deliveries at both limits (1000 events, ~1 MiB each) arrive at once, b.N rounds, through the
// real binary into an OTLP sink.
func BenchmarkEventHookConcurrentMaxDeliveries(b *testing.B) {
	h := startHookTarget(b, 10*time.Second)
	var round atomic.Int64
	b.ResetTimer()
	for b.Loop() {
		r := round.Add(1)
		var wg sync.WaitGroup
		for i := range 20 {
			body := maxSizeDelivery(fmt.Sprintf("%04d%04d-max0-4000-8000", r, i))
			wg.Go(func() {
				if status, msg, err := h.post(body); err != nil || status != http.StatusOK {
					b.Errorf("delivery: status %d %q err %v", status, msg, err)
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	peak, err := peakRSSMiB(h.coll.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(peak, "peak-rss-MiB")
	b.ReportMetric(float64(20*1000*b.N)/b.Elapsed().Seconds(), "events/s")
}
