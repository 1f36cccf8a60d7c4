// Command oktasim runs a simulated Okta org on a local address: the
// management API with pagination, SSWS and OAuth 2.0 (private_key_jwt,
// optional DPoP) authentication, Okta's rate limits, the System Log,
// event hooks, injected faults, and a /_sim/ control API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}
