package systemlog_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine (a poller, a prefetch, a hook request)
// outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
