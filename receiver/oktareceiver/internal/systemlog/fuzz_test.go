package systemlog

import (
	"testing"
	"time"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ (go test fuzz v1 format); run a target with
// go test ./receiver/oktareceiver/internal/systemlog/ -run '^$' -fuzz FuzzDecodeSystemLogPage -fuzztime 30s

// FuzzDecodeSystemLogPage: any body either decodes to events that convert to exactly as many
// records, or fails with an error; it never panics.
func FuzzDecodeSystemLogPage(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"uuid":"u1","published":"2026-02-03T10:00:00.000Z","eventType":"user.session.start","severity":"INFO","outcome":{"result":"SUCCESS"},"target":[{"id":"t","type":"User"}]}]`))
	f.Add([]byte(`[{"uuid":"u1","client":{"geographicalContext":{"geolocation":{"lat":1e400,"lon":-0.5}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := DecodePage(body, time.Unix(0, 0))
		if err != nil {
			if events != nil {
				t.Fatalf("events returned with error %v", err)
			}
			return
		}
		if n := events.logs.LogRecordCount(); n != events.Len() {
			t.Fatalf("%d events became %d records", events.Len(), n)
		}
	})
}

// FuzzParseEventHookBody: any delivery body either yields events that convert, or an error
// that names the problem; it never panics.
func FuzzParseEventHookBody(f *testing.F) {
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1","eventType":"user.lifecycle.create"}]}}`))
	f.Add([]byte(`{"data":{"events":[]}}`))
	f.Add([]byte(`{"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := parseEventHookBody(body, time.Unix(0, 0))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if n := events.logs.LogRecordCount(); n != events.Len() {
			t.Fatalf("%d events became %d records", events.Len(), n)
		}
	})
}
