package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkInventoryRestartBinary runs the real collector through a first full sync of a
// 100k-user simulated org (rate limits off) with its state in file_storage, stops it
// (SIGTERM), changes one user, and starts it again. It reports the size of the storage file,
// the time from the second process's start to its first change record in the exporter's
// file (restart-to-change-s), the duration of each full sync, and the peak RSS (VmHWM) of
// each process.
func BenchmarkInventoryRestartBinary(b *testing.B) {
	for range b.N {
		benchRestartOnce(b)
	}
}

func benchRestartOnce(b *testing.B) {
	sim := startSimulator(b, "--users", "100000", "--groups", "1000", "--apps", "200", "--rate-limits=false",
		"--events-per-sec", "0", "--history-events", "0")
	dir := b.TempDir()
	health := freePort(b)
	start := func(run int) (*process, time.Time) {
		// restartConfig with the default inventory settings: the benchmark measures the inventory alone.
		cfg := render(restartConfig, map[string]string{"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "RUN": strconv.Itoa(run), "INVENTORY": ""})
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		return startProcess(b, "otelcol-okta", collectorBin, []string{"OKTA_API_TOKEN=" + simToken}, "--config", path), t0
	}
	waitSync := func(p *process) time.Time {
		if !waitFor(context.Background(), 30*time.Minute, 200*time.Millisecond, func() bool {
			return strings.Contains(p.out.String(), fullSyncDoneLine)
		}) {
			b.Fatal("the full sync did not finish within 30 minutes")
		}
		return time.Now()
	}

	coll, t0 := start(1)
	done := waitSync(coll)
	rss1, err := peakRSSMiB(coll.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	coll.stop(60 * time.Second)
	files, _ := filepath.Glob(filepath.Join(dir, "storage", "receiver_okta*"))
	if len(files) != 1 {
		b.Fatalf("want one storage file of the receiver, found %v", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		b.Fatal(err)
	}

	user := sim.groundTruth(b).IDs["user"][12345]
	sim.control(b, "PATCH", "/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Changed while stopped"}})

	coll2, t1 := start(2)
	records := filepath.Join(dir, "records-2.jsonl")
	var firstChange time.Duration
	var offset int64
	if !waitFor(context.Background(), 30*time.Minute, 50*time.Millisecond, func() bool {
		found, next := fileHasSince(records, offset, []byte(`"okta.inventory.change"`))
		offset = next
		if found {
			firstChange = time.Since(t1)
		}
		return found
	}) {
		b.Fatal("no change record within 30 minutes of the restart")
	}
	done2 := waitSync(coll2)
	rss2, err := peakRSSMiB(coll2.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "storage-file-MiB")
	b.ReportMetric(done.Sub(t0).Seconds(), "first-sync-s")
	b.ReportMetric(firstChange.Seconds(), "restart-to-change-s")
	b.ReportMetric(done2.Sub(t1).Seconds(), "restart-sync-s")
	b.ReportMetric(rss1, "peak-rss-first-MiB")
	b.ReportMetric(rss2, "peak-rss-restart-MiB")
}

// fileHasSince reports whether the bytes of path from offset on contain needle, and the
// offset to read from next (a needle cut at the end of the file is found next time).
func fileHasSince(path string, offset int64, needle []byte) (bool, int64) {
	f, err := os.Open(path)
	if err != nil {
		return false, offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return false, offset
	}
	var buf bytes.Buffer
	n, _ := buf.ReadFrom(f)
	if bytes.Contains(buf.Bytes(), needle) {
		return true, offset + n
	}
	return false, max(offset, offset+n-int64(len(needle)))
}
