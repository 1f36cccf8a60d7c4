package oktareceiver

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

func TestCheckpointLoadChecksOrgAndFilter(t *testing.T) {
	published := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	store := newMapStorage()
	require.NoError(t, saveSystemLogCheckpoint(context.Background(), store, &systemLogCheckpoint{
		OrgURL:        "https://a.example.org",
		Filter:        `eventType eq "x"`,
		NextURL:       "https://a.example.org/api/v1/logs?after=1_1",
		LastPublished: published,
		RecentUUIDs:   []string{"u1", "u2"},
	}))
	load := func(org, filter string) *systemLogShared {
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		cfg.ClientConfig.Endpoint = org
		cfg.SystemLog.Filter = filter
		sh := newSystemLogShared(&cfg.SystemLog)
		require.NoError(t, sh.load(context.Background(), systemLogParams{
			cfg: cfg, settings: receivertest.NewNopSettings(metadata.Type), storage: store,
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
	store := newMapStorage()
	require.NoError(t, store.Set(context.Background(), systemLogCheckpointKey, []byte("garbage")))
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "https://a.example.org"
	sh := newSystemLogShared(&cfg.SystemLog)
	require.NoError(t, sh.load(context.Background(), systemLogParams{
		cfg: cfg, settings: receivertest.NewNopSettings(metadata.Type), storage: store,
	}))
	next, last := sh.cursor()
	assert.Empty(t, next)
	assert.True(t, last.IsZero())
}

func TestCheckpointSaveFailureKeepsEventsMarked(t *testing.T) {
	store := newMapStorage()
	store.fail = errDownstreamRefused
	sink := new(consumertest.LogsSink)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "https://a.example.org"
	params := systemLogParams{cfg: cfg, settings: receivertest.NewNopSettings(metadata.Type), storage: store, next: sink}
	sh := newSystemLogShared(&cfg.SystemLog)
	require.NoError(t, sh.load(context.Background(), params))
	events, err := decodeSystemLogPage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	_, err = sh.deliver(context.Background(), params, triggerSystemLog, events, "https://a.example.org/api/v1/logs?after=2")
	require.NoError(t, err, "the events are downstream: a storage failure is counted, not retried")
	assert.Equal(t, int64(1), sh.stats().Errors[errKindCheckpoint])
	again, err := decodeSystemLogPage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	res, err := sh.deliver(context.Background(), params, triggerSystemLog, again, "https://a.example.org/api/v1/logs?after=2")
	require.NoError(t, err)
	assert.Equal(t, 3, res.duplicates, "still de-duplicated in memory")
	assert.Equal(t, 3, sink.LogRecordCount())
	next, _ := sh.cursor()
	assert.Equal(t, "https://a.example.org/api/v1/logs?after=2", next)
}
