package oktareceiver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

func TestStorageGuardTurnsPanicsIntoErrors(t *testing.T) {
	id := component.MustNewIDWithName("file_storage", "okta")
	c := &guardedStorageClient{id: id, inner: panickingStorage{}}
	_, err := c.Get(context.Background(), "k")
	require.Error(t, err)
	var damaged *storageDamagedError
	require.ErrorAs(t, err, &damaged)
	assert.Contains(t, err.Error(), `storage extension "file_storage/okta" is damaged`)
	assert.Contains(t, err.Error(), "recreate: true")
	assert.Contains(t, err.Error(), "page 126")
	_, err = systemlog.ReadCheckpoint(context.Background(), c)
	assert.ErrorContains(t, err, "read System Log checkpoint")
}

type panickingStorage struct{}

func (panickingStorage) Get(context.Context, string) ([]byte, error) {
	panic("page 126: invalid page type")
}
func (panickingStorage) Set(context.Context, string, []byte) error {
	panic("page 126: invalid page type")
}
func (panickingStorage) Delete(context.Context, string) error { panic("page 126: invalid page type") }
func (panickingStorage) Batch(context.Context, ...*storage.Operation) error {
	panic("page 126: invalid page type")
}
func (panickingStorage) Close(context.Context) error { return nil }
