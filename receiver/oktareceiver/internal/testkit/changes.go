package testkit

import (
	"context"
	"sync"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// HookSecret is the shared secret the tests configure on event hook endpoints.
const HookSecret = "hook-test-secret-value"

// ChangesRecorder records what a change notifier received. The zero value is ready to use.
type ChangesRecorder struct {
	mu       sync.Mutex
	triggers []string
	changes  []resource.Change
}

// OnChanges records trigger and changes; it has the signature of the System Log's change
// notifier.
func (r *ChangesRecorder) OnChanges(_ context.Context, trigger string, changes []resource.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.triggers = append(r.triggers, trigger)
	r.changes = append(r.changes, changes...)
}

// Snapshot returns copies of every trigger and change recorded so far, in order.
func (r *ChangesRecorder) Snapshot() ([]string, []resource.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.triggers...), append([]resource.Change(nil), r.changes...)
}
