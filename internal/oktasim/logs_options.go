package oktasim

import (
	"flag"
	"time"
)

// LogOptions configures the simulated System Log and event hooks.
type LogOptions struct {
	// EventsPerSec is the rate of the background event generator; 0 turns it
	// off. PUT /_sim/events/rate changes it at run time.
	EventsPerSec float64
	// LateShare is the share (0..1) of generated events that are persisted
	// LateDelay after their published time: invisible until then, and then
	// behind events published later (what a poller that windows by
	// published time misses).
	LateShare float64
	// LateDelay is how long a late event stays invisible after it was published.
	LateDelay time.Duration
	// Retention is how long persisted events are kept (Okta: 90 days).
	Retention time.Duration
	// MaxEvents bounds the number of stored events; the oldest persisted are
	// dropped first (roughly 1 KB each).
	MaxEvents int
	// HistoryEvents is the number of events generated at start, spread over
	// HistorySpan before now, so a fresh org has a log to read.
	HistoryEvents int
	// HistorySpan is the time span the initial history covers.
	HistorySpan time.Duration
	// Seed seeds the event generator; 0 derives it from the org id, so the
	// org seed determines the events too.
	Seed int64
	// Hooks configures event hook deliveries.
	Hooks HookOptions
}

// DefaultLogOptions returns the options of the default demo org.
func DefaultLogOptions() LogOptions {
	return LogOptions{
		EventsPerSec:  0,
		LateShare:     0.02,
		LateDelay:     5 * time.Second,
		Retention:     90 * 24 * time.Hour,
		MaxEvents:     1_000_000,
		HistoryEvents: 300,
		HistorySpan:   time.Hour,
		Hooks:         DefaultHookOptions(),
	}
}

// RegisterFlags registers the System Log and event hook flags on fs.
func (o *LogOptions) RegisterFlags(fs *flag.FlagSet) {
	fs.Float64Var(&o.EventsPerSec, "events-per-sec", o.EventsPerSec,
		"System Log events generated per second (0 = off; change at run time with PUT /_sim/events/rate)")
	fs.Float64Var(&o.LateShare, "late-share", o.LateShare,
		"share (0..1) of generated events persisted late, after events published later")
	fs.DurationVar(&o.LateDelay, "late-delay", o.LateDelay,
		"how long after its published time a late event is persisted")
	fs.DurationVar(&o.Retention, "log-retention", o.Retention, "how long System Log events are kept (Okta: 90 days)")
	fs.IntVar(&o.MaxEvents, "max-log-events", o.MaxEvents,
		"maximum number of stored System Log events (about 1 KB each); the oldest are dropped first")
	fs.IntVar(&o.HistoryEvents, "history-events", o.HistoryEvents,
		"System Log events generated at start, spread over --history-span before now")
	fs.DurationVar(&o.HistorySpan, "history-span", o.HistorySpan, "time span of the initial System Log history")
	fs.Int64Var(&o.Seed, "log-seed", o.Seed, "seed of the System Log generator (0 = derived from the org, i.e. from --seed)")
	o.Hooks.RegisterFlags(fs)
}
