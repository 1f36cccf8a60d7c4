package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/statestore"
)

// boltStorage is a file_storage extension (bbolt) on dir, started, with the receiver's client:
// the benchmark measures the state as a real collector stores it.
type boltStorage struct {
	ext    extension.Extension
	client storage.Client
}

func openBoltStorage(t testing.TB, dir string) *boltStorage {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	client, err := ext.(storage.Extension).GetClient(context.Background(), component.KindReceiver, component.NewID(metadata.Type), "")
	require.NoError(t, err)
	b := &boltStorage{ext: ext, client: client}
	t.Cleanup(func() { b.close(t) })
	return b
}

// close closes the client and shuts the extension down (safe twice).
func (b *boltStorage) close(t testing.TB) {
	if b.client == nil {
		return
	}
	require.NoError(t, b.client.Close(context.Background()))
	require.NoError(t, b.ext.Shutdown(context.Background()))
	b.client = nil
}

// benchUser is a user object shaped like Okta's (17 profile attributes, credentials, links).
func benchUser(i int, title string) map[string]any {
	id := fmt.Sprintf("00u%017d", i)
	login := fmt.Sprintf("user.%d@example.com", i)
	return map[string]any{
		"id": id, "status": "ACTIVE", "created": "2023-09-11T10:03:57.088Z", "activated": "2023-09-12T16:53:40.763Z",
		"statusChanged": "2025-09-02T15:43:38.452Z", "lastLogin": "2024-06-13T15:09:22.590Z",
		"lastUpdated": fmt.Sprintf("2025-01-01T00:00:%02d.000Z", len(title)%60), "passwordChanged": "2024-01-02T09:36:33.616Z",
		"type": map[string]any{"id": "otyusI13Cv4mhYqZ3ip2"},
		"profile": map[string]any{
			"login": login, "email": login, "firstName": "First", "lastName": fmt.Sprintf("Last%d", i),
			"displayName": fmt.Sprintf("First Last%d", i), "title": title, "department": "Platform",
			"organization": "Example Corp", "countryCode": "DE", "employeeNumber": fmt.Sprint(10000 + i),
			"userType": "Employee", "mobilePhone": nil, "secondEmail": nil, "city": "Berlin",
			"manager": "Boss", "managerId": "00u0", "costCenter": "CC-42",
		},
		"credentials": map[string]any{
			"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"},
			"recovery_question": map[string]any{"question": "Name of your first pet?"},
		},
		"_links": map[string]any{"self": map[string]any{"href": "https://example.okta.com/api/v1/users/" + id}},
	}
}

// BenchmarkInventoryStatePersist100kUsers measures the persisted inventory state of a
// 100k-user org in a real file_storage (bbolt) file: its size (state-bytes: the bytes of
// every value; file-bytes: the bbolt file), the baseline write, and then, per operation, one
// changed user written as Commit writes it (bytes and keys written per changed object).
func BenchmarkInventoryStatePersist100kUsers(b *testing.B) {
	const users = 100_000
	ctx := context.Background()
	dir := b.TempDir()
	st := openBoltStorage(b, dir)
	s := newInventoryState()
	gen, _ := s.beginSync(string(resource.User))
	for i := range users {
		s.upsert(string(resource.User), fmt.Sprintf("00u%017d", i), benchUser(i, "Engineer"), objectMeta{dim: "ACTIVE"}, gen, false)
	}
	s.endSync(string(resource.User), gen, true, nil)
	store, _, err := statestore.Open(ctx, st.client, statestore.Identity{OrgID: "00oBENCH", Selection: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	sources, _ := s.takeDirty(store.Meta)
	base, err := store.Commit(ctx, sources)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var written, keys int
	for i := range b.N {
		n := i % users
		s.upsert(string(resource.User), fmt.Sprintf("00u%017d", n), benchUser(n, fmt.Sprintf("Title %d", i)), objectMeta{dim: "ACTIVE"}, 0, false)
		sources, _ := s.takeDirty(store.Meta)
		cs, err := store.Commit(ctx, sources)
		if err != nil {
			b.Fatal(err)
		}
		written += cs.Bytes
		keys += cs.Keys
	}
	b.StopTimer()
	b.ReportMetric(float64(base.Bytes), "state-bytes")
	b.ReportMetric(float64(base.Keys), "state-keys")
	b.ReportMetric(float64(written)/float64(b.N), "write-bytes/change")
	b.ReportMetric(float64(keys)/float64(b.N), "write-keys/change")
	st.close(b)
	if fi, err := os.Stat(filepath.Join(dir, "receiver_okta")); err == nil {
		b.ReportMetric(float64(fi.Size()), "file-bytes")
	}
}
