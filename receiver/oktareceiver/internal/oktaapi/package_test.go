package oktaapi

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when a goroutine (a retry, a limiter wait, an idle
// connection) outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
