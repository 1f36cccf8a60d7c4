package systemlog

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/extension/xextension/storage"
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
	client := newMapStorage()
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
	client := newMapStorage()
	require.NoError(t, client.Set(ctx, systemLogCheckpointKey, []byte("{not json")))
	_, err := ReadCheckpoint(ctx, client)
	assert.ErrorContains(t, err, "decode System Log checkpoint")
	require.NoError(t, client.Set(ctx, systemLogCheckpointKey, []byte(`{"version":99}`)))
	_, err = ReadCheckpoint(ctx, client)
	assert.ErrorContains(t, err, "unsupported version 99")
}

// mapStorage is a minimal in-memory storage.Client (safe for concurrent use) for tests that
// need no restart.
type mapStorage struct {
	mu   sync.Mutex
	data map[string][]byte
	fail error
}

func newMapStorage() *mapStorage { return &mapStorage{data: map[string][]byte{}} }

func (m *mapStorage) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data[key]...), nil
}

func (m *mapStorage) Set(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.data[key] = append([]byte(nil), value...)
	return nil
}

func (m *mapStorage) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *mapStorage) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			op.Value, _ = m.Get(ctx, op.Key)
		case storage.Set:
			if err := m.Set(ctx, op.Key, op.Value); err != nil {
				return err
			}
		case storage.Delete:
			_ = m.Delete(ctx, op.Key)
		}
	}
	return nil
}

func (m *mapStorage) Close(context.Context) error { return nil }
