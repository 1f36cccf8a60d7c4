package testkit

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// MapStorage is an in-memory storage.Client, safe for concurrent use, for tests that need no
// restart. Values are copied in and out, as a real storage does.
type MapStorage struct {
	mu      sync.Mutex
	data    map[string][]byte
	failSet error
}

// NewMapStorage returns an empty MapStorage.
func NewMapStorage() *MapStorage { return &MapStorage{data: map[string][]byte{}} }

// FailSets makes every later Set (alone or in a Batch) return err and store nothing; nil
// makes writes succeed again. Reads and deletes are unaffected.
func (m *MapStorage) FailSets(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failSet = err
}

// Get returns a copy of the value stored under key (nil when absent).
func (m *MapStorage) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data[key]...), nil
}

// Set stores a copy of value under key, or returns the error FailSets set.
func (m *MapStorage) Set(_ context.Context, key string, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failSet != nil {
		return m.failSet
	}
	m.data[key] = append([]byte(nil), value...)
	return nil
}

// Delete removes key.
func (m *MapStorage) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

// Batch runs ops in order and stops at the first failing Set.
func (m *MapStorage) Batch(ctx context.Context, ops ...*storage.Operation) error {
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

// Close does nothing: the data stays readable.
func (m *MapStorage) Close(context.Context) error { return nil }
