package oktasim

import (
	"flag"
	"fmt"
	"time"
)

// HookOptions configures event hook deliveries (Okta's verification request, delivery batches, retries and timeouts).
type HookOptions struct {
	// BatchSize is the most events one delivery carries.
	BatchSize int
	// BatchWindow is how long the first pending event waits for others to
	// join its delivery. Small, so that hook latency stays well below 1 s.
	BatchWindow time.Duration
	// Timeout is how long a verification or delivery request may take
	// (Okta: 3 s); a timeout counts like a 5xx.
	Timeout time.Duration
	// Retries is how many times a delivery answered with 5xx or timing out is
	// retried (Okta: once). 4xx answers are never retried.
	Retries int
	// RetryDelay is the pause before a retry.
	RetryDelay time.Duration
	// DuplicateShare is the share (0..1) of successful deliveries sent a
	// second time with the same events and a new eventId (at-least-once
	// fault for de-duplication tests).
	DuplicateShare float64
	// Concurrency is how many deliveries per hook may be in flight.
	Concurrency int
	// MaxPending bounds the events queued per hook; beyond it events are
	// dropped and counted.
	MaxPending int
}

// DefaultHookOptions returns Okta's documented behaviour where there is one.
func DefaultHookOptions() HookOptions {
	return HookOptions{
		BatchSize:   50,
		BatchWindow: 50 * time.Millisecond,
		Timeout:     3 * time.Second,
		Retries:     1,
		RetryDelay:  time.Second,
		Concurrency: 4,
		MaxPending:  200_000,
	}
}

// RegisterFlags registers the event hook flags on fs.
func (o *HookOptions) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&o.BatchSize, "hook-batch-size", o.BatchSize, "most events per event hook delivery")
	fs.DurationVar(&o.BatchWindow, "hook-batch-window", o.BatchWindow,
		"how long an event waits for others to share its event hook delivery")
	fs.DurationVar(&o.Timeout, "hook-timeout", o.Timeout, "timeout of event hook verification and delivery requests (Okta: 3s)")
	fs.IntVar(&o.Retries, "hook-retries", o.Retries, "retries of an event hook delivery answered 5xx or timing out (Okta: 1)")
	fs.DurationVar(&o.RetryDelay, "hook-retry-delay", o.RetryDelay, "pause before retrying an event hook delivery")
	fs.Float64Var(&o.DuplicateShare, "hook-duplicate-share", o.DuplicateShare,
		"share (0..1) of successful event hook deliveries sent twice (at-least-once fault)")
	fs.IntVar(&o.Concurrency, "hook-concurrency", o.Concurrency, "event hook deliveries in flight per hook")
	fs.IntVar(&o.MaxPending, "hook-max-pending", o.MaxPending, "events queued per event hook before new ones are dropped")
}

func (o HookOptions) validate() error {
	switch {
	case o.BatchSize < 1:
		return fmt.Errorf("hook-batch-size must be >= 1, got %d", o.BatchSize)
	case o.BatchWindow < 0:
		return fmt.Errorf("hook-batch-window must be >= 0, got %v", o.BatchWindow)
	case o.Timeout <= 0:
		return fmt.Errorf("hook-timeout must be > 0, got %v", o.Timeout)
	case o.Retries < 0:
		return fmt.Errorf("hook-retries must be >= 0, got %d", o.Retries)
	case o.RetryDelay < 0:
		return fmt.Errorf("hook-retry-delay must be >= 0, got %v", o.RetryDelay)
	case o.DuplicateShare < 0 || o.DuplicateShare > 1:
		return fmt.Errorf("hook-duplicate-share must be within 0..1, got %v", o.DuplicateShare)
	case o.Concurrency < 1:
		return fmt.Errorf("hook-concurrency must be >= 1, got %d", o.Concurrency)
	case o.MaxPending < 1:
		return fmt.Errorf("hook-max-pending must be >= 1, got %d", o.MaxPending)
	}
	return nil
}
