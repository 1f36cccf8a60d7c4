package e2e

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storageDamageSim: 2000 events of history over 30 minutes, no generator (the test adds live
// events when it needs them), no late events.
var storageDamageSim = []string{
	"--users", "20", "--groups", "5", "--apps", "3",
	"--events-per-sec", "0", "--late-share", "0",
	"--history-events", "2000", "--history-span", "30m",
}

// checkpointCopyKeys are the two checkpoint copies as the receiver stores them in the
// file_storage bucket "default".
var checkpointCopyKeys = []string{"system_log_checkpoint.0", "system_log_checkpoint.1"}

// damageRun is one collector on the durable pipeline that delivered the whole history and was
// stopped, so that its storage file can be damaged before the restart.
type damageRun struct {
	*durableRun
	storeFile string
	truth     []string
}

// startDamageRun delivers the simulator's history through the collector, then stops it
// gracefully: every event reached the sink exactly once and the checkpoint is on disk.
func startDamageRun(t *testing.T) *damageRun {
	t.Helper()
	run := startDurableRun(t, storageDamageSim, durableOptions{})
	truth := run.sim.simUUIDs(t)
	if !waitFor(context.Background(), 60*time.Second, 100*time.Millisecond, func() bool { return run.sink.distinct() >= len(truth) }) {
		t.Fatalf("the first run delivered %d of %d events", run.sink.distinct(), len(truth))
	}
	run.coll.stop()
	file := filepath.Join(run.coll.dir, "storage", "receiver_okta_")
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the receiver's storage file: %v", err)
	}
	return &damageRun{durableRun: run, storeFile: file, truth: truth}
}

// restartAndSettle starts the collector again, adds 100 live events and waits until they
// reached the sink: whatever the restart re-delivers comes before them (pages are delivered in
// order), so the counts are final. It returns the collector's output.
func (r *damageRun) restartAndSettle(t *testing.T) string {
	t.Helper()
	r.coll.start()
	persisted := r.sim.eventStats(t).Persisted
	r.sim.control(t, http.MethodPut, "/_sim/events/rate", map[string]float64{"eventsPerSec": 100})
	if !waitFor(context.Background(), 30*time.Second, 50*time.Millisecond, func() bool {
		return r.sim.eventStats(t).Persisted >= persisted+100
	}) {
		t.Fatalf("the simulator did not persist 100 live events within 30 s: %+v", r.sim.eventStats(t))
	}
	r.sim.stopGenerator(t)
	truth := r.sim.simUUIDs(t)
	if !waitFor(context.Background(), 60*time.Second, 100*time.Millisecond, func() bool {
		counts, _ := r.sink.snapshot()
		return len(compareDelivery(truth, counts).lost) == 0
	}) {
		counts, _ := r.sink.snapshot()
		t.Fatalf("after the restart: %s", compareDelivery(truth, counts))
	}
	r.truth = truth
	return r.coll.proc.out.String()
}

// redelivered returns the uuids the sink received more than once.
func (r *damageRun) redelivered() []string {
	counts, _ := r.sink.snapshot()
	return compareDelivery(r.truth, counts).duplicated
}

// withBolt opens the stopped collector's storage file and runs fn on the receiver's bucket.
func withBolt(t *testing.T, file string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(file, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	mustf(t, err, "open %s", file)
	defer db.Close()
	mustf(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("default"))
		if b == nil {
			return fmt.Errorf("no bucket \"default\" in %s", file)
		}
		return fn(b)
	}), "update %s", file)
}

// corruptRecord flips one byte in the payload of the record at key (its checksum then fails).
func corruptRecord(b *bolt.Bucket, key string) error {
	v := b.Get([]byte(key))
	if len(v) < 40 {
		return fmt.Errorf("record %s is missing or too short (%d bytes)", key, len(v))
	}
	damaged := append([]byte(nil), v...)
	damaged[len(damaged)-5] ^= 0x5a
	return b.Put([]byte(key), damaged)
}

// newestCopy returns the copy key with the higher sequence number (bytes 8..16 of the record).
func newestCopy(b *bolt.Bucket) (string, error) {
	best, bestSeq := "", uint64(0)
	for _, k := range checkpointCopyKeys {
		v := b.Get([]byte(k))
		if len(v) < 20 {
			continue
		}
		if seq := binary.BigEndian.Uint64(v[8:16]); best == "" || seq > bestSeq {
			best, bestSeq = k, seq
		}
	}
	if best == "" {
		return "", fmt.Errorf("no checkpoint copy found")
	}
	return best, nil
}

// requireLogLine fails unless the output holds a line with every one of parts.
func requireLogLine(t *testing.T, output string, parts ...string) string {
	t.Helper()
	for _, line := range strings.Split(output, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return line
		}
	}
	t.Errorf("no log line contains all of %q", parts)
	return ""
}

// countEventsSince asks the simulator (over the API, as the receiver does) how many events were
// published from since to now: the bound of what a restart from since can deliver again.
func countEventsSince(t *testing.T, sim *simulator, since time.Time) int {
	t.Helper()
	q := url.Values{}
	q.Set("since", since.UTC().Format("2006-01-02T15:04:05.000Z"))
	q.Set("until", time.Now().UTC().Add(time.Minute).Format("2006-01-02T15:04:05.000Z"))
	q.Set("limit", "1000")
	next := sim.url + "/api/v1/logs?" + q.Encode()
	total := 0
	for next != "" {
		req, err := http.NewRequest(http.MethodGet, next, nil)
		mustf(t, err, "build logs request")
		req.Header.Set("Authorization", "SSWS "+simToken)
		resp, err := http.DefaultClient.Do(req)
		mustf(t, err, "GET logs")
		var page []json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		mustf(t, err, "decode logs page")
		total += len(page)
		next = ""
		if len(page) > 0 {
			for _, l := range resp.Header.Values("Link") {
				if strings.Contains(l, `rel="next"`) {
					next = strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ";")[0], "<"), ">")
				}
			}
		}
	}
	return total
}

// TestBadInputStorageDamage restarts the real binary on a damaged file_storage file and counts,
// by uuid against the simulator's ground truth, what the System Log delivers again, and checks
// the one line that tells the operator.
func TestBadInputStorageDamage(t *testing.T) {
	t.Run("newest checkpoint copy damaged", func(t *testing.T) {
		r := startDamageRun(t)
		withBolt(t, r.storeFile, func(b *bolt.Bucket) error {
			key, err := newestCopy(b)
			if err != nil {
				return err
			}
			return corruptRecord(b, key)
		})
		out := r.restartAndSettle(t)
		line := requireLogLine(t, out, "newest System Log checkpoint copy is damaged", "checksum mismatch")
		t.Logf("operator sees: %s", strings.TrimSpace(line))
		if dups := r.redelivered(); len(dups) > 0 {
			t.Errorf("%d events delivered again (first %v); the marker gives the exact cursor", len(dups), dups[:min(5, len(dups))])
		}
		t.Logf("re-delivered 0 of %d events", len(r.truth))
	})

	t.Run("both checkpoint copies damaged", func(t *testing.T) {
		r := startDamageRun(t)
		withBolt(t, r.storeFile, func(b *bolt.Bucket) error {
			for _, k := range checkpointCopyKeys {
				if err := corruptRecord(b, k); err != nil {
					return err
				}
			}
			return nil
		})
		out := r.restartAndSettle(t)
		line := requireLogLine(t, out, "Both System Log checkpoint copies are damaged")
		t.Logf("operator sees: %s", strings.TrimSpace(line))
		if dups := r.redelivered(); len(dups) > 0 {
			t.Errorf("%d events delivered again (first %v); the marker gives the cursor of the last save", len(dups), dups[:min(5, len(dups))])
		}
	})

	t.Run("zero-length storage file", func(t *testing.T) {
		r := startDamageRun(t)
		// The restart reaches back initial_lookback (10m instead of the first run's 2h).
		r.coll.reconfigure(strings.Replace(r.coll.config, "initial_lookback: 2h", "initial_lookback: 10m", 1))
		mustf(t, os.Truncate(r.storeFile, 0), "truncate the storage file")
		bound := countEventsSince(t, r.sim, time.Now().Add(-11*time.Minute))
		out := r.restartAndSettle(t)
		line := requireLogLine(t, out, "No System Log checkpoint in storage", "initial_lookback")
		t.Logf("operator sees: %s", strings.TrimSpace(line))
		dups := r.redelivered()
		t.Logf("re-delivered %d events; %d were published within initial_lookback (+1 min) of the restart", len(dups), bound)
		if len(dups) > bound {
			t.Errorf("re-delivered %d events, more than the %d of the initial_lookback window", len(dups), bound)
		}
		if len(dups) == 0 {
			t.Errorf("nothing was delivered again: the storage file was not emptied")
		}
	})

	t.Run("truncated bbolt file", func(t *testing.T) {
		r := startDamageRun(t)
		info, err := os.Stat(r.storeFile)
		mustf(t, err, "stat the storage file")
		mustf(t, os.Truncate(r.storeFile, info.Size()/2), "truncate the storage file")
		// Without recreate the collector must refuse to start with an error that says what to do.
		p := startProcess(t, "otelcol-okta (damaged store)", collectorBin, []string{"OKTA_API_TOKEN=" + simToken}, "--config", filepath.Join(r.coll.dir, "config.yaml"))
		select {
		case <-p.done:
		case <-time.After(60 * time.Second):
			t.Fatalf("the collector neither started nor failed within 60 s on a truncated storage file")
		}
		out := p.out.String()
		if strings.Contains(out, "SIGBUS") || strings.Contains(out, "goroutine ") {
			t.Errorf("the collector crashed on the truncated storage file:\n%s", tail(out, 3000))
		}
		line := requireLogLine(t, out, "file_storage/okta", "damaged", "recreate: true")
		t.Logf("operator sees: %s", tail(strings.TrimSpace(line), 600))

		// With recreate: true the extension keeps the damaged file as a .backup and starts
		// afresh; the receiver says it starts from initial_lookback.
		r.coll.reconfigure(strings.Replace(r.coll.config, "    directory: "+r.coll.dir+"/storage\n    create_directory: true",
			"    directory: "+r.coll.dir+"/storage\n    create_directory: true\n    recreate: true", 1))
		out = r.restartAndSettle(t)
		requireLogLine(t, out, "No System Log checkpoint in storage", "initial_lookback")
		backups, _ := filepath.Glob(r.storeFile + ".*.backup")
		if len(backups) != 1 {
			t.Errorf("want one .backup of the damaged file, found %v", backups)
		}
		t.Logf("after recreate: %d events delivered again (initial_lookback 2h covers the whole history)", len(r.redelivered()))
	})
}
