package oktareceiver

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// getStorageClient returns a client of the storage extension storageID for the receiver
// ownerID, or a no-op client when storageID is nil. The caller must Close it.
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
	client, err := se.GetClient(ctx, component.KindReceiver, ownerID, "")
	if err != nil {
		return nil, fmt.Errorf("storage: get client of %q: %w", storageID, err)
	}
	return client, nil
}
