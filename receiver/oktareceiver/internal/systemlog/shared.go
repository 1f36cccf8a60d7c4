package systemlog

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
)

// Shared is the state common to the System Log poller and the event hook endpoint:
// the uuid dedupe window, the committed checkpoint and the counters. deliver serializes both
// paths, so an event seen by the poller and by the hook reaches the consumer once.
type Shared struct {
	cfg *Config

	loadMu sync.Mutex
	loaded bool

	// mu guards everything below and is held across a whole delivery (filter, consume, commit).
	mu               sync.Mutex
	window           *uuidWindow
	cp               Checkpoint
	seq              uint64 // number of the last save (the next goes to copy (seq+1)%2)
	legacy           bool   // the record of an earlier version still exists (deleted by the next save)
	checkpointFailed bool   // last save failed (logged once per change)
	// packedWindow is the buffer each save packs the dedupe window into (only read while
	// the record is encoded), reused so that a save does not allocate the window again.
	packedWindow []byte

	statsMu sync.Mutex
	counts  Stats
}

// NewShared returns the shared state for one receiver instance.
func NewShared(cfg *Config) *Shared {
	return &Shared{
		cfg:    cfg,
		window: newUUIDWindow(cfg.DedupeWindow),
		counts: Stats{EventsByOutcome: map[string]int64{}, Errors: map[string]int64{}, Skipped: map[string]int64{}},
	}
}

// load reads the checkpoint once (later calls are no-ops) and says in one log line where the
// System Log resumes when that is not simply the last save: a damaged copy, both copies
// damaged, a record of an earlier version, or no checkpoint at all (initial_lookback). A
// checkpoint of another org is ignored; one of another filter keeps its dedupe window and
// last published time but not its cursor (the poller then restarts shortly before the last
// published time). It fails only when the storage cannot be read at all.
func (s *Shared) load(ctx context.Context, p Params) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.loaded {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := orgURL(p)
	s.cp = Checkpoint{OrgURL: org, Filter: s.cfg.Filter}
	if p.Storage == nil {
		s.loaded = true
		return nil
	}
	found, err := loadSystemLogCheckpoint(ctx, p.Storage)
	if err != nil {
		return err
	}
	s.seq, s.legacy = found.seq, found.legacy
	logCheckpointLoad(p, s.cfg, found)
	cp := found.cp
	switch {
	case cp == nil:
	case cp.OrgURL != org:
		p.Telemetry.Logger.Warn("Ignoring the System Log checkpoint of another org; starting from initial_lookback",
			zap.String("initial_lookback", s.cfg.InitialLookback.String()))
	default:
		s.window.restore(cp.RecentUUIDs)
		s.cp.LastPublished = cp.LastPublished
		if cp.Filter == s.cfg.Filter {
			s.cp.NextURL = cp.NextURL
		} else {
			p.Telemetry.Logger.Info("system_log.filter changed: resuming shortly before the last delivered event instead of from the stored cursor")
		}
	}
	s.loaded = true
	return nil
}

// logCheckpointLoad writes the one line that tells the operator where the System Log resumes
// when it is not simply the last save.
func logCheckpointLoad(p Params, cfg *Config, found checkpointLoad) {
	log := p.Telemetry.Logger
	storageID := p.StorageID
	var lastPublished time.Time
	if found.cp != nil {
		lastPublished = found.cp.LastPublished
	}
	fields := []zap.Field{zap.String("storage", storageID), zap.Strings("damaged", found.damaged)}
	switch found.source {
	case sourceCopy:
		if len(found.damaged) > 0 {
			log.Warn("A System Log checkpoint record is damaged; resumed from the newest intact copy (if the damaged copy was the newer one, up to one page may be delivered again; the next save rewrites it)",
				append(fields, zap.Time("last_published", lastPublished))...)
		}
	case sourceOlder:
		log.Warn("The newest System Log checkpoint copy is damaged; resumed at the exact cursor of the last save (resume marker) with the dedupe window of the previous copy: nothing is delivered again",
			append(fields, zap.Time("last_published", lastPublished))...)
	case sourceMarker:
		log.Warn("Both System Log checkpoint copies are damaged; resumed at the cursor of the last save (resume marker) without the dedupe window: an event that the event hook also delivers may arrive twice",
			append(fields, zap.Time("last_published", lastPublished))...)
	case sourceLegacy:
		log.Info("Resumed from the System Log checkpoint of an earlier version; it is saved as two checksummed copies from now on",
			zap.Time("last_published", lastPublished))
	case sourceNone:
		if found.empty {
			log.Warn("No System Log checkpoint in storage (first start, or the storage file was emptied or replaced): starting initial_lookback before now; events of that period delivered before are delivered again",
				zap.String("storage", storageID), zap.String("initial_lookback", cfg.InitialLookback.String()))
		} else {
			log.Warn("The System Log checkpoint is damaged and nothing of it is recoverable: starting initial_lookback before now; events of that period delivered before are delivered again",
				append(fields, zap.String("initial_lookback", cfg.InitialLookback.String()))...)
		}
	}
}

// saveLocked writes the committed position and the dedupe window as the next save. Called with
// s.mu held, after the events it covers were accepted downstream.
func (s *Shared) saveLocked(ctx context.Context, p Params) error {
	cp := s.cp
	if packed, ok := s.window.appendPackedSnapshot(s.packedWindow[:0]); ok {
		s.packedWindow = packed
		cp.RecentUUIDsBin = packed
	} else {
		cp.RecentUUIDs = s.window.snapshot()
	}
	// The events are already downstream: save even if ctx was just cancelled (shutdown).
	err := saveSystemLogCheckpoint(context.WithoutCancel(ctx), p.Storage, &cp, s.seq+1, s.legacy)
	if err == nil {
		s.seq++
		s.legacy = false
	}
	s.noteCheckpointResult(p, err)
	return err
}

// cursor returns the committed next link ("" when there is none) and the newest published
// time delivered so far.
func (s *Shared) cursor() (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cp.NextURL, s.cp.LastPublished
}

// deliverResult tells the caller what deliver did.
type deliverResult struct {
	delivered  int // events consumed downstream
	duplicates int // events dropped as already delivered
	skipped    int // events the pipeline refused and that were skipped (deliverIsolated)
}

// deliver hands the events of batch not seen before to the consumer and, only if it accepted
// them, marks their uuids and saves the checkpoint. next is the new cursor for the poller
// ("" keeps the cursor: the hook). On a consumer error nothing is marked or saved and the
// error is returned (the caller decodes the events again and retries). Events without a uuid
// cannot be deduplicated and are always delivered. deliver takes ownership of batch.
func (s *Shared) deliver(ctx context.Context, p Params, trigger string, batch *Batch, next string) (deliverResult, error) {
	return s.deliverBatch(ctx, p, trigger, batch, next, "", nil)
}

// deliverIsolated is deliver for a batch the pipeline refused before (cause): each new event is
// handed to the consumer alone, and the events it refuses again are skipped: counted under
// reason, logged once with their uuids, and marked like delivered events, so that the
// checkpoint moves past them and neither the poller nor the hook offers them again. It fails
// only when ctx ends (nothing is marked then). batch must never have been given to a consumer.
func (s *Shared) deliverIsolated(ctx context.Context, p Params, trigger string, batch *Batch, next, reason string, cause error) (deliverResult, error) {
	return s.deliverBatch(ctx, p, trigger, batch, next, reason, cause)
}

func (s *Shared) deliverBatch(ctx context.Context, p Params, trigger string, batch *Batch, next, skipReason string, cause error) (deliverResult, error) {
	var res deliverResult
	s.mu.Lock()
	res.duplicates = s.dropDuplicates(batch)
	fresh := batch.facts
	// The consumer owns the records once called: take what onChanges needs first.
	var refs []EventRef
	if len(fresh) > 0 && p.OnChanges != nil {
		refs = batch.refs
		if refs == nil {
			refs = batch.eventRefs()
		}
	}
	accepted := fresh
	var skipped []systemLogFacts
	var refusal error
	if len(fresh) > 0 {
		if skipReason == "" {
			taken, err := s.consumeInChunks(ctx, p, batch)
			if err != nil {
				// The first taken events are the consumer's: they are marked (and saved) so
				// that the retry of this batch does not hand them over again, but the cursor
				// stays, since the rest still has to be delivered.
				newest, saveErr := s.markLocked(ctx, p, fresh[:taken], "", false)
				s.mu.Unlock()
				s.settle(ctx, p, trigger, fresh[:taken], refs[:min(taken, len(refs))], newest, 0, saveErr)
				return deliverResult{delivered: taken}, &consumeError{events: len(fresh) - taken, err: err}
			}
		} else {
			keep, firstRefusal, err := s.consumeOneByOne(ctx, p, batch)
			refusal = firstRefusal
			if err != nil {
				s.mu.Unlock()
				return deliverResult{}, err
			}
			accepted, skipped, refs = splitAccepted(fresh, refs, keep)
		}
	}
	// Skipped events are marked like delivered ones: the checkpoint moves past them.
	newest, saveErr := s.markLocked(ctx, p, fresh, next, true)
	s.mu.Unlock()

	res.delivered, res.skipped = len(accepted), len(skipped)
	if len(skipped) > 0 {
		s.noteSkipped(p, trigger, skipReason, skipped, cause, refusal)
	}
	s.settle(ctx, p, trigger, accepted, refs, newest, res.duplicates, saveErr)
	return res, nil
}

// markLocked records events as handed over: their uuids join the dedupe window and, with
// advance, the checkpoint moves to next ("" keeps the cursor) and to the newest published
// time among them. It saves the checkpoint when anything changed and returns the newest
// published time known. Called with s.mu held.
func (s *Shared) markLocked(ctx context.Context, p Params, events []systemLogFacts, next string, advance bool) (newest time.Time, saveErr error) {
	newest = s.cp.LastPublished
	for _, f := range events {
		if f.uuid != "" {
			s.window.add(f.uuid) // the decoder owns every string it hands out: no page is pinned
		}
		if f.published.After(newest) {
			newest = f.published
		}
	}
	changed := len(events) > 0
	if advance {
		s.cp.LastPublished = newest
		if next != "" && next != s.cp.NextURL {
			s.cp.NextURL = next
			changed = true
		}
	}
	if changed && p.Storage != nil {
		saveErr = s.saveLocked(ctx, p)
	}
	return newest, saveErr
}

// settle does what follows a delivery once the lock is released: count the accepted events
// and the duplicates, count a failed checkpoint save, and tell the inventory which resources
// the accepted events changed.
func (s *Shared) settle(ctx context.Context, p Params, trigger string, accepted []systemLogFacts, refs []EventRef, newest time.Time, duplicates int, saveErr error) {
	if len(accepted) > 0 || duplicates > 0 {
		s.countDelivered(trigger, accepted, newest, duplicates)
	}
	if saveErr != nil {
		s.countError(ErrKindCheckpoint)
	}
	if changes := Changes(refs); len(changes) > 0 {
		p.OnChanges(ctx, trigger, changes)
	}
}

// dropDuplicates removes from batch the events whose uuid was delivered before or appears
// earlier in the batch, and returns how many it removed. Called with s.mu held.
func (s *Shared) dropDuplicates(batch *Batch) int {
	duplicates := 0
	var keep []bool
	var inBatch map[string]struct{}
	for i, f := range batch.facts {
		if f.uuid == "" {
			continue
		}
		if inBatch == nil {
			inBatch = make(map[string]struct{}, len(batch.facts))
		}
		if _, dup := inBatch[f.uuid]; dup || s.window.contains(f.uuid) {
			if keep == nil {
				keep = make([]bool, len(batch.facts))
				for j := range keep {
					keep[j] = true
				}
			}
			keep[i] = false
			duplicates++
			continue
		}
		inBatch[f.uuid] = struct{}{}
	}
	if keep != nil {
		batch.keepOnly(keep)
	}
	return duplicates
}

// consume hands logs (events records) downstream through the receiver's one emit path.
func (s *Shared) consume(ctx context.Context, p Params, logs plog.Logs, events int) error {
	return p.Emit.Consume(ctx, logs, events)
}

// consumeInChunks hands the records of batch to the consumer in order, at most
// emit.MaxRecords per call, and returns how many it accepted before its first refusal (err).
// Records are moved, not copied: the consumer owns what it was given, and batch is not
// delivered again (a retry decodes the events anew).
func (s *Shared) consumeInChunks(ctx context.Context, p Params, batch *Batch) (taken int, err error) {
	records := batch.records()
	total := records.Len()
	if total <= emit.MaxRecords {
		if err := s.consume(ctx, p, batch.logs, total); err != nil {
			return 0, err
		}
		return total, nil
	}
	for taken < total {
		n := min(emit.MaxRecords, total-taken)
		chunk, dst := batch.emptyLike(n)
		for i := taken; i < taken+n; i++ {
			records.At(i).MoveTo(dst.AppendEmpty())
		}
		if err := s.consume(ctx, p, chunk, n); err != nil {
			return taken, err
		}
		taken += n
	}
	return taken, nil
}

// consumeError is a rejection by the downstream consumer of events (the events it did not
// take): they are not marked, and the cursor did not move.
type consumeError struct {
	events int
	err    error
}

func (e *consumeError) Error() string {
	return fmt.Sprintf("consume %d System Log events: %v", e.events, e.err)
}
func (e *consumeError) Unwrap() error { return e.err }

// noteCheckpointResult logs a checkpoint write failure once, and its recovery once. The events
// stay marked in memory, so they are not delivered twice by this process; the next successful
// save covers them. Called with s.mu held.
func (s *Shared) noteCheckpointResult(p Params, err error) {
	switch {
	case err != nil && !s.checkpointFailed:
		s.checkpointFailed = true
		p.Telemetry.Logger.Warn("Saving the System Log checkpoint failed; a restart now may deliver recent events again", zap.Error(err))
	case err == nil && s.checkpointFailed:
		s.checkpointFailed = false
		p.Telemetry.Logger.Info("Saving the System Log checkpoint works again")
	}
}

// orgURL is the org the checkpoint belongs to: the client's, else Params.OrgURL.
func orgURL(p Params) string {
	if p.Client != nil {
		return p.Client.OrgURL()
	}
	return p.OrgURL
}
