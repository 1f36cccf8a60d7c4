package systemlog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDedupeWindowEvictsOldestFirst(t *testing.T) {
	w := newUUIDWindow(3)
	for _, id := range []string{"a", "b", "c", "a"} { // the second "a" is a no-op
		w.add(id)
	}
	assert.Equal(t, []string{"a", "b", "c"}, w.snapshot())
	w.add("d")
	assert.False(t, w.contains("a"))
	assert.True(t, w.contains("b") && w.contains("c") && w.contains("d"))
	assert.Equal(t, []string{"b", "c", "d"}, w.snapshot())
	w.add("e")
	w.add("f")
	assert.Equal(t, []string{"d", "e", "f"}, w.snapshot())
	assert.Equal(t, 3, w.len())
}

func TestDedupeWindowRestoreKeepsNewest(t *testing.T) {
	w := newUUIDWindow(2)
	w.restore([]string{"old", "", "mid", "new"})
	assert.Equal(t, []string{"mid", "new"}, w.snapshot())
	assert.False(t, w.contains("old"))

	big := newUUIDWindow(1000)
	var ids []string
	for i := range 1500 {
		ids = append(ids, fmt.Sprint(i))
	}
	big.restore(ids)
	assert.Equal(t, 1000, big.len())
	assert.True(t, big.contains("1499"))
	assert.False(t, big.contains("499"))
	assert.Equal(t, ids[500:], big.snapshot())
}

func TestCheckpointRoundTripAndAbsent(t *testing.T) {
	ctx := context.Background()
	client := testkit.NewMapStorage()
	cp, err := ReadCheckpoint(ctx, client)
	require.NoError(t, err)
	assert.Nil(t, cp, "no checkpoint saved yet")

	want := &Checkpoint{
		OrgURL:        "https://test-org.example.org",
		Filter:        `eventType eq "user.session.start"`,
		NextURL:       "https://test-org.example.org/api/v1/logs?after=1_2",
		LastPublished: time.Date(2026, 2, 3, 10, 0, 0, 123e6, time.UTC),
		RecentUUIDs:   []string{"u1", "u2"},
	}
	require.NoError(t, saveSystemLogCheckpoint(ctx, client, want, 1, false))
	got, err := ReadCheckpoint(ctx, client)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestCheckpointCorruptIsAnError(t *testing.T) {
	ctx := context.Background()
	client := testkit.NewMapStorage()
	require.NoError(t, client.Set(ctx, systemLogCheckpointKey, []byte("{not json")))
	_, err := ReadCheckpoint(ctx, client)
	assert.ErrorContains(t, err, "decode System Log checkpoint")
	require.NoError(t, client.Set(ctx, systemLogCheckpointKey, []byte(`{"version":99}`)))
	_, err = ReadCheckpoint(ctx, client)
	assert.ErrorContains(t, err, "unsupported version 99")
}
