package oktareceiver

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// The inventory's tests in this package describe System Log events and component status with
// the names below; the mapping of events to changes is the systemlog package's (Changes).

// systemLogEventRef is one delivered System Log event as the inventory's tests write it.
type systemLogEventRef struct {
	uuid, eventType, actorID string
	published                time.Time
	targets                  []eventTarget
}

// eventTarget is one target of a systemLogEventRef.
type eventTarget struct{ typ, id string }

// slAttrLogRecordUID is the attribute that identifies every record (log.record.uid).
var slAttrLogRecordUID = string(semconv.LogRecordUIDKey)

// Triggers of the changes the System Log announces.
const (
	triggerSystemLog = systemlog.TriggerSystemLog
	triggerEventHook = systemlog.TriggerEventHook
)

// eventChanges is systemlog.Changes of refs.
func eventChanges(refs []systemLogEventRef) []resource.Change {
	events := make([]systemlog.EventRef, len(refs))
	for i, r := range refs {
		events[i] = systemlog.EventRef{UUID: r.uuid, EventType: r.eventType, Published: r.published, ActorID: r.actorID}
		for _, t := range r.targets {
			events[i].Targets = append(events[i].Targets, systemlog.EventTarget{Type: t.typ, ID: t.id})
		}
	}
	return systemlog.Changes(events)
}

// statusHost records reported component status events.
type statusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (h *statusHost) GetExtensions() map[component.ID]component.Component { return nil }

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]componentstatus.Status, len(h.events))
	for i, ev := range h.events {
		out[i] = ev.Status()
	}
	return out
}

func (h *statusHost) errs() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []error
	for _, ev := range h.events {
		if ev.Err() != nil {
			out = append(out, ev.Err())
		}
	}
	return out
}

// TestRefetchTaskOfAChangeWithoutPublishedCountsAsNew: a change without a published time is
// treated as published now, so no earlier listing can make its refetch look unnecessary.
func TestRefetchTaskOfAChangeWithoutPublishedCountsAsNew(t *testing.T) {
	changes := eventChanges([]systemLogEventRef{{eventType: "user.lifecycle.suspend", targets: []eventTarget{{typ: "User", id: "00u1"}}}})
	if len(changes) != 1 {
		t.Fatalf("got %d changes, want 1", len(changes))
	}
	now := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	task := refetchTaskFor(changes[0], triggerSystemLog, now)
	assert.Equal(t, now, task.published)
	assert.Equal(t, refetchTask{typ: "user", id: "00u1", trigger: triggerSystemLog, published: now}, task)
}
