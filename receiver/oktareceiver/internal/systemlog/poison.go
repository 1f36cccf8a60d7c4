package systemlog

import (
	"context"
	"errors"
	"strings"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"
)

// An event the pipeline can never accept (a rule that fails on its content, a processor that
// rejects it) must not stall the System Log: the poller would retry its page forever and
// nothing after it would be delivered. The rule, shared by the poller and the event hook:
//
//   - a permanent refusal (consumererror.IsPermanent) is not retried: the events are handed
//     to the pipeline one by one, and those refused again are skipped;
//   - the poller also isolates a page the pipeline refused system_log.max_delivery_attempts
//     times in a row (transient refusals; 0 turns this off);
//   - a skipped event is counted (okta.system_log.skipped, by reason), logged once with its
//     uuid and the pipeline's error, and marked like a delivered event: the checkpoint moves
//     past it and neither path offers it again.

// Reasons an event was skipped (the okta.system_log.skip_reason attribute).
const (
	SkipReasonPermanent        = "permanent"
	SkipReasonRetriesExhausted = "retries_exhausted"
)

// maxLoggedSkippedUUIDs bounds the uuids listed in the one log line of an isolation.
const maxLoggedSkippedUUIDs = 100

// consumeOneByOne hands each record of batch to the consumer alone and reports which ones it
// accepted and the error of the first refusal. It fails (accepting nothing further) only when ctx ends, so that a shutdown is
// never mistaken for refusals. batch must never have been given to a consumer: its records
// are copied, and the original stays with the caller.
func (s *Shared) consumeOneByOne(ctx context.Context, p Params, batch *Batch) (keep []bool, firstRefusal, err error) {
	records := batch.records()
	keep = make([]bool, records.Len())
	for i := range records.Len() {
		single, dst := batch.emptyLike(1)
		records.At(i).CopyTo(dst.AppendEmpty())
		cerr := s.consume(ctx, p, single, 1)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		keep[i] = cerr == nil
		if cerr != nil && firstRefusal == nil {
			firstRefusal = cerr
		}
	}
	return keep, firstRefusal, nil
}

// splitAccepted separates the facts (and refs, when there are refs) of accepted and refused
// events.
func splitAccepted(facts []systemLogFacts, refs []EventRef, keep []bool) (accepted, skipped []systemLogFacts, acceptedRefs []EventRef) {
	for i, f := range facts {
		if keep[i] {
			accepted = append(accepted, f)
			if i < len(refs) {
				acceptedRefs = append(acceptedRefs, refs[i])
			}
		} else {
			skipped = append(skipped, f)
		}
	}
	return accepted, skipped, acceptedRefs
}

// noteSkipped counts the skipped events under reason and logs them once, with their uuids and
// the pipeline's errors: cause (the refusal of the whole batch) and refusal (the first refusal
// of a single event).
func (s *Shared) noteSkipped(p Params, trigger, reason string, skipped []systemLogFacts, cause, refusal error) {
	s.statsMu.Lock()
	s.counts.Skipped[reason] += int64(len(skipped))
	s.statsMu.Unlock()
	uuids := make([]string, 0, min(len(skipped), maxLoggedSkippedUUIDs))
	for _, f := range skipped[:min(len(skipped), maxLoggedSkippedUUIDs)] {
		uuids = append(uuids, f.uuid)
	}
	if refusal != nil && (cause == nil || !strings.Contains(cause.Error(), refusal.Error())) {
		cause = errors.Join(cause, refusal)
	}
	p.Telemetry.Logger.Error("Skipped System Log events the pipeline refuses: the stream goes on without them",
		zap.String("trigger", trigger), zap.String("reason", reason), zap.Int("events", len(skipped)),
		zap.Strings("uuids", uuids), zap.Bool("permanent_error", consumererror.IsPermanent(cause)), zap.Error(cause))
}
