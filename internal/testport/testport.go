// Package testport hands out loopback TCP ports for the processes that tests start.
//
// A port from "127.0.0.1:0" comes from the kernel's ephemeral range, the range every outgoing
// connection also draws its local port from: between the moment a test reads such a port and
// the moment the started collector binds it, one of the many client connections of the
// collector, the simulator or a parallel test package can take it ("address already in use").
// Free hands out ports below the ephemeral range instead, where no outgoing connection lands,
// starting at a random offset so that test packages running in parallel rarely probe the same
// ports, and checks that each one is free.
package testport

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
)

// The range handed out: below Linux's default ephemeral range (32768-60999).
const (
	rangeStart = 20000
	rangeEnd   = 32768 // exclusive
)

var (
	mu   sync.Mutex
	next = rangeStart + rand.IntN(rangeEnd-rangeStart) //nolint:gosec // G404: a port offset, not a secret
)

// Free returns a loopback TCP port that was free when checked and that this process has not
// handed out before (until the range wraps around).
func Free() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	for range rangeEnd - rangeStart {
		port := next
		next++
		if next == rangeEnd {
			next = rangeStart
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		if err := ln.Close(); err != nil {
			return 0, fmt.Errorf("close the probe listener on port %d: %w", port, err)
		}
		return port, nil
	}
	return 0, errors.New("no free loopback port in 20000-32767")
}
