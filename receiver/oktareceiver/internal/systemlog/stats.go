package systemlog

import (
	"maps"
	"time"
)

// Error kinds counted in Stats.Errors (the okta.system_log.errors metric attribute).
const (
	ErrKindUnauthorized = "unauthorized"
	ErrKindBadRequest   = "bad_request"
	ErrKindRateLimited  = "rate_limited"
	ErrKindServer       = "server"
	ErrKindTransport    = "transport"
	ErrKindInvalidPage  = "invalid_page"
	ErrKindConsumer     = "consumer"
	ErrKindCheckpoint   = "checkpoint"
	ErrKindForeignLink  = "foreign_link"
	ErrKindOther        = "other"
	// ErrKindConsumerPermanent: the pipeline refused events with a permanent error.
	ErrKindConsumerPermanent = "consumer_permanent"
	// ErrKindMissingNext: a 2xx System Log answer without a `next` link.
	ErrKindMissingNext = "missing_next"
)

func (s *Shared) countError(kind string) {
	s.statsMu.Lock()
	s.counts.Errors[kind]++
	s.statsMu.Unlock()
}

func (s *Shared) countPage() {
	s.statsMu.Lock()
	s.counts.Pages++
	s.statsMu.Unlock()
}

func (s *Shared) countDelivered(trigger string, events []systemLogFacts, newest time.Time, duplicates int) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for _, ev := range events {
		s.counts.EventsByOutcome[ev.outcome]++
	}
	if trigger == TriggerEventHook {
		s.counts.HookEvents += int64(len(events))
	}
	s.counts.Duplicates += int64(duplicates)
	if newest.After(s.counts.NewestPublished) {
		s.counts.NewestPublished = newest
	}
}

// Stats returns a copy of the counters.
func (s *Shared) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := s.counts
	out.EventsByOutcome = make(map[string]int64, len(s.counts.EventsByOutcome))
	for k, v := range s.counts.EventsByOutcome {
		out.EventsByOutcome[k] = v
	}
	out.Errors = maps.Clone(s.counts.Errors)
	out.Skipped = maps.Clone(s.counts.Skipped)
	return out
}

// Error kinds of the event hook endpoint.
const (
	ErrKindHookUnauthorized = "hook_unauthorized"
	ErrKindHookTooLarge     = "hook_too_large"
	ErrKindHookBadRequest   = "hook_bad_request"
)
