package systemlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

func TestCheckpointLoadChecksOrgAndFilter(t *testing.T) {
	published := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	store := testkit.NewMapStorage()
	require.NoError(t, saveSystemLogCheckpoint(context.Background(), store, &Checkpoint{
		OrgURL:        "https://a.example.org",
		Filter:        `eventType eq "x"`,
		NextURL:       "https://a.example.org/api/v1/logs?after=1_1",
		LastPublished: published,
		RecentUUIDs:   []string{"u1", "u2"},
	}, 1, false))
	load := func(org, filter string) *Shared {
		cfg := DefaultConfig()
		cfg.Filter = filter
		sh := NewShared(&cfg)
		require.NoError(t, sh.load(context.Background(), Params{
			Config: &cfg, OrgURL: org, Telemetry: receivertest.NewNopSettings(metadata.Type), Storage: store,
		}))
		return sh
	}

	sh := load("https://a.example.org", `eventType eq "x"`)
	next, last := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=1_1", next, "same org and filter: resume the cursor")
	assert.Equal(t, published, last)
	assert.True(t, sh.window.contains("u1") && sh.window.contains("u2"))

	sh = load("https://a.example.org", `eventType eq "y"`)
	next, last = sh.cursor()
	assert.Empty(t, next, "another filter: the cursor is not resumed")
	assert.Equal(t, published, last, "but the poller restarts shortly before the last published event")
	assert.True(t, sh.window.contains("u1"), "and the window still drops what was delivered")

	sh = load("https://b.example.org", `eventType eq "x"`)
	next, last = sh.cursor()
	assert.Empty(t, next)
	assert.True(t, last.IsZero())
	assert.False(t, sh.window.contains("u1"), "another org: nothing is reused")
}

func TestCheckpointUnreadableStartsFresh(t *testing.T) {
	store := testkit.NewMapStorage()
	require.NoError(t, store.Set(context.Background(), systemLogCheckpointKey, []byte("garbage")))
	cfg := DefaultConfig()
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), Params{
		Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type), Storage: store,
	}))
	next, last := sh.cursor()
	assert.Empty(t, next)
	assert.True(t, last.IsZero())
}

// errDownstreamRefused is the failure the tests' storage and consumers return.
var errDownstreamRefused = errors.New("downstream refused the batch")

func TestCheckpointSaveFailureKeepsEventsMarked(t *testing.T) {
	store := testkit.NewMapStorage()
	store.FailSets(errDownstreamRefused)
	sink := new(consumertest.LogsSink)
	cfg := DefaultConfig()
	params := Params{Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type), Storage: store, Emit: emit.New(sink, nil, nil)}
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), params))
	events, err := DecodePage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	_, err = sh.deliver(context.Background(), params, TriggerSystemLog, events, "https://a.example.org/api/v1/logs?after=2")
	require.NoError(t, err, "the events are downstream: a storage failure is counted, not retried")
	assert.Equal(t, int64(1), sh.Stats().Errors[ErrKindCheckpoint])
	again, err := DecodePage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	res, err := sh.deliver(context.Background(), params, TriggerSystemLog, again, "https://a.example.org/api/v1/logs?after=2")
	require.NoError(t, err)
	assert.Equal(t, 3, res.duplicates, "still de-duplicated in memory")
	assert.Equal(t, 3, sink.LogRecordCount())
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next)
}

// checkpointRun delivers pages through a Shared on store and reloads it like a
// restart, logging to an observer.
type checkpointRun struct {
	t     *testing.T
	store *testkit.MapStorage
	cfg   *Config
	logs  *observer.ObservedLogs
	sink  *consumertest.LogsSink
}

func newCheckpointRun(t *testing.T, store *testkit.MapStorage) *checkpointRun {
	cfg := DefaultConfig()
	return &checkpointRun{t: t, store: store, cfg: &cfg, sink: new(consumertest.LogsSink)}
}

// start loads the checkpoint as a start of the receiver does.
func (r *checkpointRun) start() (*Shared, Params) {
	core, logs := observer.New(zap.InfoLevel)
	r.logs = logs
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	params := Params{Config: r.cfg, OrgURL: "https://a.example.org", Telemetry: set, Storage: r.store, Emit: emit.New(r.sink, nil, nil)}
	sh := NewShared(r.cfg)
	require.NoError(r.t, sh.load(context.Background(), params))
	return sh, params
}

// deliverPage delivers n new events (uuids prefix-0..n-1) with cursor next.
func (r *checkpointRun) deliverPage(sh *Shared, params Params, prefix string, n int, next string) {
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"uuid":"` + prefix + "-" + string(rune('a'+i)) + `","eventType":"user.session.start","published":"2026-02-03T10:00:0` + string(rune('0'+i%10)) + `.000Z"}`)
	}
	b.WriteString("]")
	batch, err := DecodePage([]byte(b.String()), time.Now())
	require.NoError(r.t, err)
	_, err = sh.deliver(context.Background(), params, TriggerSystemLog, batch, next)
	require.NoError(r.t, err)
}

// damage flips a byte in the payload of the record at key.
func (r *checkpointRun) damage(key string) {
	raw, err := r.store.Get(context.Background(), key)
	require.NoError(r.t, err)
	require.NotEmpty(r.t, raw, key)
	raw[len(raw)-3] ^= 0x5a
	require.NoError(r.t, r.store.Set(context.Background(), key, raw))
}

// newestCopyKey is the copy written by the last save.
func (r *checkpointRun) newestCopyKey() string {
	var best string
	var bestSeq uint64
	for _, k := range systemLogCopyKeys {
		raw, _ := r.store.Get(context.Background(), k)
		if _, seq, err := decodeCheckpointRecord(raw); err == nil && seq >= bestSeq {
			best, bestSeq = k, seq
		}
	}
	return best
}

func TestCheckpointAlternatesTwoChecksummedCopies(t *testing.T) {
	run := newCheckpointRun(t, testkit.NewMapStorage())
	sh, params := run.start()
	run.deliverPage(sh, params, "p1", 2, "https://a.example.org/api/v1/logs?after=1")
	assert.Equal(t, systemLogCopyKeys[1], run.newestCopyKey())
	run.deliverPage(sh, params, "p2", 2, "https://a.example.org/api/v1/logs?after=2")
	assert.Equal(t, systemLogCopyKeys[0], run.newestCopyKey())
	for _, k := range []string{systemLogCopyKeys[0], systemLogCopyKeys[1], systemLogMarkerKey} {
		raw, err := run.store.Get(context.Background(), k)
		require.NoError(t, err)
		_, _, err = decodeCheckpointRecord(raw)
		require.NoError(t, err, k)
	}
	sh, _ = run.start()
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next)
	assert.True(t, sh.window.contains("p1-a") && sh.window.contains("p2-b"))
	assert.Zero(t, run.logs.Len(), "an intact checkpoint resumes silently")
}

// TestCheckpointNewestCopyDamaged: the newest copy fails its checksum; the receiver resumes
// at the exact cursor of the last save (the marker) with the previous copy's window, and says
// so in one line.
func TestCheckpointNewestCopyDamaged(t *testing.T) {
	run := newCheckpointRun(t, testkit.NewMapStorage())
	sh, params := run.start()
	run.deliverPage(sh, params, "p1", 2, "https://a.example.org/api/v1/logs?after=1")
	run.deliverPage(sh, params, "p2", 2, "https://a.example.org/api/v1/logs?after=2")
	run.damage(run.newestCopyKey())

	sh, _ = run.start()
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next, "the cursor of the last save")
	assert.True(t, sh.window.contains("p1-a"), "the window of the previous copy")
	require.Equal(t, 1, run.logs.Len())
	entry := run.logs.All()[0]
	assert.Contains(t, entry.Message, "newest System Log checkpoint copy is damaged")
	assert.Contains(t, fmt.Sprint(entry.ContextMap()["damaged"]), "checksum mismatch")
}

// TestCheckpointOlderCopyDamaged: nothing is lost; the line says the newest copy was used.
func TestCheckpointOlderCopyDamaged(t *testing.T) {
	run := newCheckpointRun(t, testkit.NewMapStorage())
	sh, params := run.start()
	run.deliverPage(sh, params, "p1", 2, "https://a.example.org/api/v1/logs?after=1")
	run.deliverPage(sh, params, "p2", 2, "https://a.example.org/api/v1/logs?after=2")
	newest := run.newestCopyKey()
	older := systemLogCopyKeys[0]
	if newest == older {
		older = systemLogCopyKeys[1]
	}
	run.damage(older)
	sh, _ = run.start()
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next)
	assert.True(t, sh.window.contains("p2-b"))
	require.Equal(t, 1, run.logs.Len())
	assert.Contains(t, run.logs.All()[0].Message, "resumed from the newest intact copy")
}

// TestCheckpointBothCopiesDamaged: the marker still gives the cursor of the last save.
func TestCheckpointBothCopiesDamaged(t *testing.T) {
	run := newCheckpointRun(t, testkit.NewMapStorage())
	sh, params := run.start()
	run.deliverPage(sh, params, "p1", 2, "https://a.example.org/api/v1/logs?after=1")
	run.deliverPage(sh, params, "p2", 2, "https://a.example.org/api/v1/logs?after=2")
	run.damage(systemLogCopyKeys[0])
	run.damage(systemLogCopyKeys[1])
	sh, _ = run.start()
	next, last := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next)
	assert.False(t, last.IsZero())
	assert.False(t, sh.window.contains("p1-a"), "no window survives")
	require.Equal(t, 1, run.logs.Len())
	assert.Contains(t, run.logs.All()[0].Message, "Both System Log checkpoint copies are damaged")
}

// TestCheckpointNothingRecoverable: everything damaged, or an empty store, starts from
// initial_lookback and says so, naming it.
func TestCheckpointNothingRecoverable(t *testing.T) {
	run := newCheckpointRun(t, testkit.NewMapStorage())
	sh, params := run.start()
	require.Equal(t, 1, run.logs.Len(), "an empty store is announced")
	assert.Contains(t, run.logs.All()[0].Message, "No System Log checkpoint in storage")
	assert.Contains(t, run.logs.All()[0].ContextMap(), "initial_lookback")

	run.deliverPage(sh, params, "p1", 2, "https://a.example.org/api/v1/logs?after=1")
	run.deliverPage(sh, params, "p2", 2, "https://a.example.org/api/v1/logs?after=2")
	for _, k := range []string{systemLogCopyKeys[0], systemLogCopyKeys[1], systemLogMarkerKey} {
		run.damage(k)
	}
	sh, _ = run.start()
	next, last := sh.cursor()
	assert.Empty(t, next)
	assert.True(t, last.IsZero())
	require.Equal(t, 1, run.logs.Len())
	entry := run.logs.All()[0]
	assert.Equal(t, zap.WarnLevel, entry.Level)
	assert.Contains(t, entry.Message, "nothing of it is recoverable: starting initial_lookback before now")
	assert.Equal(t, "1h0m0s", entry.ContextMap()["initial_lookback"])
}

// TestCheckpointMigratesTheSingleRecord: an earlier version's record is resumed, and the first
// save in the new form deletes it.
func TestCheckpointMigratesTheSingleRecord(t *testing.T) {
	store := testkit.NewMapStorage()
	const old = `{"version":1,"org_url":"https://a.example.org","next_url":"https://a.example.org/api/v1/logs?after=old",` +
		`"last_published":"2026-02-03T10:00:00.123Z","recent_uuids":["old-1"]}`
	require.NoError(t, store.Set(context.Background(), systemLogCheckpointKey, []byte(old)))
	run := newCheckpointRun(t, store)
	sh, params := run.start()
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=old", next)
	assert.True(t, sh.window.contains("old-1"))
	run.deliverPage(sh, params, "p1", 1, "https://a.example.org/api/v1/logs?after=1")
	raw, _ := store.Get(context.Background(), systemLogCheckpointKey)
	assert.Empty(t, raw, "the single record is deleted by the first save")
	sh, _ = run.start()
	next, _ = sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=1", next)
	assert.True(t, sh.window.contains("old-1") && sh.window.contains("p1-a"))
}

// TestStorageGuardTurnsPanicsIntoErrors: a storage client that panics (as bbolt does on a
// damaged page) returns an error naming the extension and the way out instead.
