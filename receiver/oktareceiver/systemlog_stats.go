package oktareceiver

import (
	"maps"
	"time"
)

// Error kinds counted in systemLogStats.Errors (the okta.system_log.errors metric attribute).
const (
	errKindUnauthorized = "unauthorized"
	errKindBadRequest   = "bad_request"
	errKindRateLimited  = "rate_limited"
	errKindServer       = "server"
	errKindTransport    = "transport"
	errKindInvalidPage  = "invalid_page"
	errKindConsumer     = "consumer"
	errKindCheckpoint   = "checkpoint"
	errKindForeignLink  = "foreign_link"
	errKindOther        = "other"
	// errKindConsumerPermanent: the pipeline refused events with a permanent error.
	errKindConsumerPermanent = "consumer_permanent"
	// errKindMissingNext: a 2xx System Log answer without a `next` link.
	errKindMissingNext = "missing_next"
)

func (s *systemLogShared) countError(kind string) {
	s.statsMu.Lock()
	s.counts.Errors[kind]++
	s.statsMu.Unlock()
}

func (s *systemLogShared) countPage() {
	s.statsMu.Lock()
	s.counts.Pages++
	s.statsMu.Unlock()
}

func (s *systemLogShared) countDelivered(trigger string, events []systemLogFacts, newest time.Time, duplicates int) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	for _, ev := range events {
		s.counts.EventsByOutcome[ev.outcome]++
	}
	if trigger == triggerEventHook {
		s.counts.HookEvents += int64(len(events))
	}
	s.counts.Duplicates += int64(duplicates)
	if newest.After(s.counts.NewestPublished) {
		s.counts.NewestPublished = newest
	}
}

// stats returns a copy of the counters.
func (s *systemLogShared) stats() systemLogStats {
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
	errKindHookUnauthorized = "hook_unauthorized"
	errKindHookTooLarge     = "hook_too_large"
	errKindHookBadRequest   = "hook_bad_request"
)
