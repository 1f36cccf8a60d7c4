package inventory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/statestore"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

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
	st := testkit.OpenFileStorage(b, dir)
	s := newInventoryState()
	gen, _ := s.beginSync(string(resource.User))
	for i := range users {
		s.upsert(string(resource.User), fmt.Sprintf("00u%017d", i), benchUser(i, "Engineer"), objectMeta{dim: "ACTIVE"}, gen, false)
	}
	s.endSync(string(resource.User), gen, true, nil)
	store, _, err := statestore.Open(ctx, st.Client, statestore.Identity{OrgID: "00oBENCH", Selection: "bench"})
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
	st.Close(b)
	if fi, err := os.Stat(filepath.Join(dir, "receiver_okta")); err == nil {
		b.ReportMetric(float64(fi.Size()), "file-bytes")
	}
}
