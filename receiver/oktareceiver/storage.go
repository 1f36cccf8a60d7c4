package oktareceiver

import (
	"context"
	"fmt"
	"runtime/debug"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// getStorageClient returns a client of the storage extension storageID for the receiver
// ownerID, or a no-op client when storageID is nil. The caller must Close it.
//
// The client is guarded (guardedStorageClient): a damaged storage file makes the file_storage
// extension's database (bbolt, which reads the file through a memory map) panic or fault
// (SIGBUS) inside our call, which would otherwise kill the whole collector on every start.
// The guard turns that into an error that names the extension and the way out.
func getStorageClient(ctx context.Context, host component.Host, storageID *component.ID, ownerID component.ID) (storage.Client, error) {
	if storageID == nil {
		return storage.NewNopClient(), nil
	}
	ext, ok := host.GetExtensions()[*storageID]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found", storageID)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", storageID)
	}
	var client storage.Client
	err := guardStorage(*storageID, "open", func() error {
		var err error
		client, err = se.GetClient(ctx, component.KindReceiver, ownerID, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: get client of %q: %w", storageID, err)
	}
	return &guardedStorageClient{id: *storageID, inner: client}, nil
}

// storageDamagedError is a panic or memory fault inside the storage extension: its file is
// damaged. It says what to do.
type storageDamagedError struct {
	id        component.ID
	operation string
	cause     any
}

func (e *storageDamagedError) Error() string {
	return fmt.Sprintf("the file of storage extension %q is damaged (%s failed: %v); the okta receiver cannot read or save its checkpoints. "+
		"Stop the collector and move the receiver's file (receiver_okta_<name> in the extension's directory) aside, "+
		"or set `recreate: true` on the extension to have it renamed to a .backup and started afresh; "+
		"the System Log then resumes from initial_lookback", e.id, e.operation, e.cause)
}

// guardStorage runs fn, turning a panic or a memory fault (debug.SetPanicOnFault) into a
// storageDamagedError. The fault setting is per goroutine and restored before returning.
func guardStorage(id component.ID, operation string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &storageDamagedError{id: id, operation: operation, cause: r}
		}
	}()
	return fn()
}

// guardedStorageClient is a storage.Client whose every call goes through guardStorage.
type guardedStorageClient struct {
	id    component.ID
	inner storage.Client
}

func (c *guardedStorageClient) Get(ctx context.Context, key string) (value []byte, err error) {
	err = guardStorage(c.id, "get", func() error {
		var gerr error
		value, gerr = c.inner.Get(ctx, key)
		return gerr
	})
	return value, err
}

func (c *guardedStorageClient) Set(ctx context.Context, key string, value []byte) error {
	return guardStorage(c.id, "set", func() error { return c.inner.Set(ctx, key, value) })
}

func (c *guardedStorageClient) Delete(ctx context.Context, key string) error {
	return guardStorage(c.id, "delete", func() error { return c.inner.Delete(ctx, key) })
}

func (c *guardedStorageClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	return guardStorage(c.id, "batch", func() error { return c.inner.Batch(ctx, ops...) })
}

func (c *guardedStorageClient) Close(ctx context.Context) error {
	return guardStorage(c.id, "close", func() error { return c.inner.Close(ctx) })
}
