package oktasim

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkLogsPage1000 serves 1000-event polling pages over HTTP (the
// receiver's hot path) and reports events per second.
func BenchmarkLogsPage1000(b *testing.B) {
	_, base := startLogsServer(b, func(o *Options) { o.Logs.HistoryEvents = 20_000 })
	url := logsURL(base, map[string]string{"since": isoAgo(2 * time.Hour), "limit": "1000"})
	client := &http.Client{}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
	var bytes int64
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		bytes += n
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytes)/float64(b.N)/1000, "bytes/event")
}

// BenchmarkGenerator measures batch generation and encoding (what the
// background generator does each tick) against the default org, in events
// per second, and the per-event bytes the store keeps (the head; the
// profile tail is shared).
func BenchmarkGenerator(b *testing.B) {
	org, err := newOrgStore(DefaultOrgOptions(), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	opts := DefaultLogOptions()
	opts.HistoryEvents = 0
	l, err := newLogStore(opts, org, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	var headBytes int
	const batch = 300 // one 10 ms tick at 30,000 events/s
	now := time.Now()
	b.ResetTimer()
	for b.Loop() {
		onTime, late := l.generateBatch(batch, now, opts.LateShare)
		if len(onTime)+len(late) != batch {
			b.Fatalf("generated %d", len(onTime)+len(late))
		}
		headBytes += len(onTime[0].head)
	}
	b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(headBytes)/float64(b.N), "stored-bytes/event")
}

// BenchmarkGeneratorPersist adds persistence (both indexes, eviction) to
// generation.
func BenchmarkGeneratorPersist(b *testing.B) {
	opts := DefaultLogOptions()
	opts.HistoryEvents = 0
	opts.MaxEvents = 200_000
	l, err := newLogStore(opts, nil, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 300
	b.ResetTimer()
	for b.Loop() {
		onTime, _ := l.generateBatch(batch, time.Now(), 0)
		l.persist(onTime)
	}
	b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds(), "events/s")
}
