package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireBinaries skips an end-to-end benchmark unless OTELCOL_OKTA_BIN and OKTASIM_BIN
// name the binaries to measure (scripts/bench.sh passes bin/ or another build): the
// figures must say which build they belong to.
func requireBinaries(b *testing.B) {
	b.Helper()
	if os.Getenv("OTELCOL_OKTA_BIN") == "" || os.Getenv("OKTASIM_BIN") == "" {
		b.Skip("end-to-end benchmark: set OTELCOL_OKTA_BIN and OKTASIM_BIN to the binaries to measure (make build; scripts/bench.sh)")
	}
}

// runMeasure is the sum of the measurements of a benchmark's iterations.
type runMeasure struct {
	events  int
	elapsed time.Duration // from the start of the measured work to the last event's arrival
	cpu     time.Duration // collector user+system CPU over elapsed
	peakRSS float64       // highest collector VmHWM of the iterations, MiB
}

func (m *runMeasure) add(r runMeasure) {
	m.events += r.events
	m.elapsed += r.elapsed
	m.cpu += r.cpu
	m.peakRSS = max(m.peakRSS, r.peakRSS)
}

func (m runMeasure) String() string {
	return fmt.Sprintf("%d events in %s: %.0f events/s, collector CPU %s = %.1f µs/event, peak RSS %.0f MiB",
		m.events, m.elapsed.Round(time.Millisecond), m.perSec(), m.cpu.Round(time.Millisecond), m.cpuPerEvent(), m.peakRSS)
}

func (m runMeasure) perSec() float64 { return float64(m.events) / m.elapsed.Seconds() }

func (m runMeasure) cpuPerEvent() float64 { return float64(m.cpu.Microseconds()) / float64(m.events) }

// report reports events/s, cpu-µs/event and peak-rss-MiB of the collector.
func (m runMeasure) report(b *testing.B) {
	b.Helper()
	if m.events == 0 {
		b.Fatal("no event measured")
	}
	b.ReportMetric(m.perSec(), "events/s")
	b.ReportMetric(m.cpuPerEvent(), "cpu-µs/event")
	b.ReportMetric(m.peakRSS, "peak-rss-MiB")
}

// simPublished reads the System Log back from the simulator in polling mode
// (since, then next links until an empty page) and returns each event's
// published time by uuid.
func (s *simulator) simPublished(t testing.TB, since time.Time) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	q := url.Values{"since": {since.UTC().Format("2006-01-02T15:04:05.000Z")}, "limit": {"1000"}}
	next := s.url + "/api/v1/logs?" + q.Encode()
	client := &http.Client{Timeout: 30 * time.Second}
	for range 100000 {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		mustf(t, err, "build System Log request")
		req.Header.Set("Authorization", "SSWS "+simToken)
		resp, err := client.Do(req)
		mustf(t, err, "GET %s", next)
		var page []struct {
			UUID      string `json:"uuid"`
			Published string `json:"published"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", next, resp.StatusCode)
		}
		mustf(t, err, "decode System Log page")
		if len(page) == 0 {
			return out
		}
		for _, ev := range page {
			p, err := time.Parse(time.RFC3339Nano, ev.Published)
			mustf(t, err, "published of %s", ev.UUID)
			out[ev.UUID] = p
		}
		next = nextLink(resp.Header.Values("Link"))
		if next == "" {
			t.Fatalf("System Log page without a next link in polling mode")
		}
	}
	t.Fatalf("System Log read-back did not end")
	return nil
}

var linkNext = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="next"`)

func nextLink(headers []string) string {
	for _, h := range headers {
		if m := linkNext.FindStringSubmatch(h); m != nil {
			return m[1]
		}
	}
	return ""
}

// percentile returns the p-th percentile (0..100) of sorted durations
// (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// latencySummary is the distribution of event -> sink latencies.
type latencySummary struct {
	n             int
	p50, p99, max time.Duration
}

func summarize(lat []time.Duration) latencySummary {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	s := latencySummary{n: len(lat)}
	if len(lat) > 0 {
		s.p50, s.p99, s.max = percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
	}
	return s
}

func (s latencySummary) String() string {
	return fmt.Sprintf("n=%d p50=%s p99=%s max=%s", s.n, s.p50.Round(time.Millisecond), s.p99.Round(time.Millisecond), s.max.Round(time.Millisecond))
}

// clockTicks is USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux).
const clockTicks = 100

// processCPU returns the user+system CPU time a process used so far.
func processCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("read stat of pid %d: %w", pid, err)
	}
	// The command name is in parentheses and may hold spaces: fields start after the last ')'.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("stat of pid %d: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14 of stat
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15 of stat
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("stat of pid %d: utime %q stime %q", pid, fields[11], fields[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}
