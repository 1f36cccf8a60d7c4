package testkit

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// StatusHost is a component.Host without extensions that records the component status events
// reported to it. The zero value is ready to use.
type StatusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
}

var _ component.Host = (*StatusHost)(nil)

// GetExtensions returns no extensions.
func (h *StatusHost) GetExtensions() map[component.ID]component.Component { return nil }

// Report records ev.
func (h *StatusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

// Statuses returns the status of every reported event, in order.
func (h *StatusHost) Statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]componentstatus.Status, len(h.events))
	for i, ev := range h.events {
		out[i] = ev.Status()
	}
	return out
}

// Errs returns the error of every reported event that has one, in order.
func (h *StatusHost) Errs() []error {
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
