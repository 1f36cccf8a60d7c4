package testport

import (
	"fmt"
	"net"
	"testing"
)

// TestFreeHandsOutDistinctBindablePortsBelowTheEphemeralRange: every port is in range, never
// handed out twice, and can be bound; a port in use is skipped.
func TestFreeHandsOutDistinctBindablePortsBelowTheEphemeralRange(t *testing.T) {
	busy, err := Free()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", busy))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	mu.Lock()
	next = busy // the next probe hits the port in use
	mu.Unlock()

	seen := map[int]bool{busy: true}
	for range 50 {
		port, err := Free()
		if err != nil {
			t.Fatal(err)
		}
		if port < rangeStart || port >= rangeEnd {
			t.Fatalf("port %d outside %d-%d", port, rangeStart, rangeEnd-1)
		}
		if seen[port] {
			t.Fatalf("port %d handed out twice (or the busy port was handed out)", port)
		}
		seen[port] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			t.Fatalf("port %d is not bindable: %v", port, err)
		}
		l.Close()
	}
}
