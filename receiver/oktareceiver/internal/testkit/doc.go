// Package testkit holds the test helpers that both the receiver's package tests and its
// simulator-backed tests (the simtest module) use: storage clients, a status-recording host,
// consumers that refuse chosen batches and small assertions. It is imported by tests only;
// no component code may import it.
package testkit
