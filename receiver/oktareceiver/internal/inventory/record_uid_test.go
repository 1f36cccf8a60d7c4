package inventory

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// TestInventoryRecordUIDIsDeterministic: the same record converted twice gets the same id;
// changing anything that tells records apart (sync, trigger, event, change type, content)
// gives another one.
func TestInventoryRecordUIDIsDeterministic(t *testing.T) {
	body := func(title string) map[string]any {
		return map[string]any{"id": "00u1", "profile": map[string]any{"title": title}, "lastUpdated": "2026-11-29T10:00:00.000Z"}
	}
	base := inventoryRecord{event: EventChange, typ: string(resource.User), id: "00u1", changeType: ChangeUpdated,
		trigger: "system_log", eventUUID: "evt-1", fields: []string{"profile.title"}, body: body("a")}
	uidOf := func(rec inventoryRecord) string {
		sl := plog.NewScopeLogs()
		appendInventoryRecord(sl, rec, pcommon.NewTimestampFromTime(time.Now()))
		v, ok := sl.LogRecords().At(0).Attributes().Get(string(semconv.LogRecordUIDKey))
		require.True(t, ok)
		return v.Str()
	}
	first := uidOf(base)
	again := base
	again.body = body("a")
	assert.Equal(t, first, uidOf(again), "the same record re-delivered keeps its id")

	variants := map[string]func(*inventoryRecord){
		"another event":   func(r *inventoryRecord) { r.eventUUID = "evt-2" },
		"another trigger": func(r *inventoryRecord) { r.trigger = "event_hook" },
		"another sync":    func(r *inventoryRecord) { r.syncID = "abcd" },
		"created":         func(r *inventoryRecord) { r.changeType = ChangeCreated },
		"other content":   func(r *inventoryRecord) { r.body = body("b") },
		"other fields":    func(r *inventoryRecord) { r.fields = []string{"profile"} },
		"a snapshot":      func(r *inventoryRecord) { r.event = EventSnapshot },
		"another object":  func(r *inventoryRecord) { r.id = "00u2" },
	}
	for name, change := range variants {
		rec := base
		rec.body = body("a")
		change(&rec)
		assert.NotEqual(t, first, uidOf(rec), name)
	}
}
