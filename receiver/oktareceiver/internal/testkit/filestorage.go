package testkit

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// FileStorage is a started file_storage extension (bbolt) with the receiver's client, as a
// collector with `storage: file_storage` hands it to the receiver.
type FileStorage struct {
	ext extension.Extension
	// Client is the receiver's storage client (nil once closed).
	Client storage.Client
}

// OpenFileStorage starts a file_storage extension on dir and opens the receiver's client.
// It is closed when the test ends (Close may close it earlier).
func OpenFileStorage(t testing.TB, dir string) *FileStorage {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	client, err := ext.(storage.Extension).GetClient(context.Background(), component.KindReceiver, component.NewID(metadata.Type), "")
	require.NoError(t, err)
	s := &FileStorage{ext: ext, Client: client}
	t.Cleanup(func() { s.Close(t) })
	return s
}

// Close closes the client and shuts the extension down (safe twice). Every Batch a client
// made is a committed bbolt transaction already, so what a close adds is nothing.
func (s *FileStorage) Close(t testing.TB) {
	if s.Client == nil {
		return
	}
	require.NoError(t, s.Client.Close(context.Background()))
	require.NoError(t, s.ext.Shutdown(context.Background()))
	s.Client = nil
}
