package e2e

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"
)

// exactlyOnceSim are the simulator flags of the exactly-once tests: a small
// org, 200 events/s of which 10 % are persisted 3 s late, and some history.
var exactlyOnceSim = []string{
	"--users", "40", "--groups", "8", "--apps", "5",
	"--events-per-sec", "200", "--late-share", "0.1", "--late-delay", "3s",
	"--history-events", "2000", "--history-span", "30m",
}

// testRand returns a random source seeded from E2E_SEED when set (to replay
// a failure), otherwise from the clock; the seed is logged.
func testRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("E2E_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		mustf(t, err, "E2E_SEED")
		seed = v
	}
	t.Logf("random seed %d (replay with E2E_SEED=%d)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// durableRun is one simulator, one OTLP sink behind an export ledger, and
// one restartable collector on the durable pipeline.
type durableRun struct {
	sim    *simulator
	sink   *otlpSink
	ledger *exportLedger
	coll   *restartableCollector
}

func startDurableRun(t testing.TB, simArgs []string, opts durableOptions) *durableRun {
	t.Helper()
	sim := startSimulator(t, simArgs...)
	sink := startOTLPSink(t)
	ledger := startExportLedger(t, sink.url)
	dir := t.TempDir()
	health := freePort(t)
	coll := newRestartableCollector(t, dir, opts.render(dir, sim.url, ledger.url, health), health)
	coll.onKill = ledger.noteKill
	coll.start()
	return &durableRun{sim: sim, sink: sink, ledger: ledger, coll: coll}
}

// TestSystemLogExactlyOnceUnderKill9 kills the real binary with SIGKILL at
// random moments 10 times, restarting it each time on the same file_storage
// directory, while the simulator produces 200 events/s (10 % persisted
// late). No event may be lost, and every duplicate must be the re-send of
// a batch that was in flight (sent, not yet acknowledged) at a kill.
func TestSystemLogExactlyOnceUnderKill9(t *testing.T) {
	t.Parallel()
	rng := testRand(t)
	run := startDurableRun(t, exactlyOnceSim, durableOptions{})
	ups := run.coll.killLoop(10, 300*time.Millisecond, 3*time.Second, rng)
	t.Logf("killed the collector %d times after %v", len(ups), ups)
	rep := awaitDelivery(t, run.sim, run.sink, 60*time.Second)
	assertExactlyOnceModuloAck(t, "kill-9 x10", rep, run.ledger)
}

// TestSystemLogExactlyOnceUnderOktaFaults runs the same kills while the
// simulator answers 10 % of requests with 500, 5 % with 429, and plays two
// 5-second 429 storms.
func TestSystemLogExactlyOnceUnderOktaFaults(t *testing.T) {
	t.Parallel()
	rng := testRand(t)
	args := append([]string{"--fault-5xx", "0.1", "--fault-429", "0.05"}, exactlyOnceSim...)
	run := startDurableRun(t, args, durableOptions{})
	base := map[string]any{"errorRate": 0.1, "stormRate": 0.05}
	storm := map[string]any{"errorRate": 0.1, "stormFor": "5s"}
	for round := range 2 {
		run.sim.control(t, http.MethodPut, "/_sim/faults", storm)
		run.coll.killLoop(3, 300*time.Millisecond, 3*time.Second, rng)
		run.sim.control(t, http.MethodPut, "/_sim/faults", base)
		time.Sleep(3 * time.Second) // the scenario: 3 s on the base fault mix between two storms
		t.Logf("round %d done: sink holds %d distinct uuids", round+1, run.sink.distinct())
	}
	st := run.sim.stats(t)
	t.Logf("simulator faults: injected5xx=%v storm429=%v served429=%v", st["injected5xx"], st["storm429"], st["served429"])
	if n, _ := st["injected5xx"].(float64); n == 0 {
		t.Errorf("the simulator injected no 5xx: the test did not exercise the fault path")
	}
	if n, _ := st["storm429"].(float64); n == 0 {
		t.Errorf("the simulator played no 429 storm: the test did not exercise the fault path")
	}
	run.sim.control(t, http.MethodDelete, "/_sim/faults", nil)
	rep := awaitDelivery(t, run.sim, run.sink, 60*time.Second)
	assertExactlyOnceModuloAck(t, "429 storms + 10% 5xx + kill-9 x6", rep, run.ledger)
}

// TestSystemLogBackendOutage makes the OTLP backend answer 503 for 10 s: the
// persistent queue holds and retries, the receiver keeps polling, and once
// the backend is back every event arrives exactly once.
func TestSystemLogBackendOutage(t *testing.T) {
	t.Parallel()
	run := startDurableRun(t, exactlyOnceSim, durableOptions{})
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool { return run.sink.distinct() > 0 }) {
		t.Fatalf("nothing reached the sink within 30 s before the outage")
	}
	run.sink.setFailing(true) // from here on the sink records nothing
	before, polls := run.sink.distinct(), run.sim.systemLogPolls(t)
	time.Sleep(10 * time.Second) // the scenario: a 10 s backend outage
	refused, pollsDuring, during := run.sink.refusedRequests(), run.sim.systemLogPolls(t)-polls, run.sink.distinct()
	run.sink.setFailing(false)
	t.Logf("sink held %d uuids before the outage and %d at its end; it refused %d export requests, the receiver made %d polls",
		before, during, refused, pollsDuring)
	if during != before {
		t.Errorf("the sink recorded %d uuids while failing: the outage was not played", during-before)
	}
	if refused == 0 {
		t.Errorf("the exporter sent nothing during the 10 s outage: the queue's retries were not exercised")
	}
	if pollsDuring == 0 {
		t.Errorf("the receiver did not poll the System Log during the outage")
	}
	rep := awaitDelivery(t, run.sim, run.sink, 60*time.Second)
	assertExactlyOnce(t, "backend outage 10s", rep)
}

func snapshotCounts(s *otlpSink) map[string]int {
	c, _ := s.snapshot()
	return c
}
