package simtest

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// NewMapStorage returns an empty in-memory storage.Client, safe for concurrent use, for tests
// that need no restart. Values are copied in and out, as a real storage does.
func NewMapStorage() storage.Client { return &mapStorage{data: map[string][]byte{}} }

type mapStorage struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (m *mapStorage) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data[key]...), nil
}

func (m *mapStorage) Set(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
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
