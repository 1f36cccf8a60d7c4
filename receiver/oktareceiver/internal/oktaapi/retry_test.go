package oktaapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestNewBackoffIsBoundedWithJitter: every wait lies in [d/2, d] with d = initial·2ⁿ capped at
// the maximum, so the maximum bounds every wait (the System Log poller's initial_backoff and
// max_backoff use this policy).
func TestNewBackoffIsBoundedWithJitter(t *testing.T) {
	b := NewBackoff(100*time.Millisecond, 2*time.Second)
	var waits []time.Duration
	for range 40 {
		d := b.NextBackOff()
		assert.LessOrEqual(t, d, 2*time.Second)
		assert.GreaterOrEqual(t, d, 50*time.Millisecond)
		waits = append(waits, d)
	}
	assert.LessOrEqual(t, waits[0], 100*time.Millisecond)
	assert.GreaterOrEqual(t, waits[10], time.Second)
	b.Reset()
	assert.LessOrEqual(t, b.NextBackOff(), 100*time.Millisecond, "Reset starts again from the initial wait")
}
