package oktareceiver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

// systemLogShared is the state common to the System Log poller and the event hook endpoint:
// the uuid dedupe window, the committed checkpoint and the counters. deliver serializes both
// paths, so an event seen by the poller and by the hook reaches the consumer once.
type systemLogShared struct {
	cfg *SystemLogConfig

	loadMu sync.Mutex
	loaded bool

	// mu guards everything below and is held across a whole delivery (filter, consume, commit).
	mu               sync.Mutex
	window           *uuidWindow
	cp               systemLogCheckpoint
	checkpointFailed bool // last save failed (logged once per change)

	statsMu sync.Mutex
	counts  systemLogStats
}

// newSystemLogShared returns the shared state for one receiver instance.
func newSystemLogShared(cfg *SystemLogConfig) *systemLogShared {
	return &systemLogShared{
		cfg:    cfg,
		window: newUUIDWindow(cfg.DedupeWindow),
		counts: systemLogStats{EventsByOutcome: map[string]int64{}, Errors: map[string]int64{}},
	}
}

// load reads the checkpoint once (later calls are no-ops). A checkpoint of another org is
// ignored; one of another filter keeps its dedupe window and last published time but not its
// cursor (the poller then restarts shortly before the last published time). An unreadable
// checkpoint is logged and ignored (start from initial_lookback) rather than blocking start.
func (s *systemLogShared) load(ctx context.Context, p systemLogParams) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	if s.loaded {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org := orgURL(p)
	s.cp = systemLogCheckpoint{OrgURL: org, Filter: s.cfg.Filter}
	if p.storage == nil {
		s.loaded = true
		return nil
	}
	cp, err := loadSystemLogCheckpoint(ctx, p.storage)
	switch {
	case err != nil:
		p.settings.Logger.Warn("Ignoring the System Log checkpoint; starting from initial_lookback", zap.Error(err))
	case cp != nil && cp.OrgURL != org:
		p.settings.Logger.Info("Ignoring the System Log checkpoint of another org; starting from initial_lookback")
	case cp != nil:
		s.window.restore(cp.RecentUUIDs)
		s.cp.LastPublished = cp.LastPublished
		if cp.Filter == s.cfg.Filter {
			s.cp.NextURL = cp.NextURL
		} else {
			p.settings.Logger.Info("system_log.filter changed: resuming shortly before the last delivered event instead of from the stored cursor")
		}
	}
	s.loaded = true
	return nil
}

// cursor returns the committed next link ("" when there is none) and the newest published
// time delivered so far.
func (s *systemLogShared) cursor() (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cp.NextURL, s.cp.LastPublished
}

// deliverResult tells the caller what deliver did.
type deliverResult struct {
	delivered  int // events consumed downstream
	duplicates int // events dropped as already delivered
}

// deliver hands the events of batch not seen before to the consumer and, only if it accepted
// them, marks their uuids and saves the checkpoint. next is the new cursor for the poller
// ("" keeps the cursor: the hook). On a consumer error nothing is marked or saved and the
// error is returned (the caller decodes the events again and retries). Events without a uuid
// cannot be deduplicated and are always delivered. deliver takes ownership of batch.
func (s *systemLogShared) deliver(ctx context.Context, p systemLogParams, trigger string, batch *systemLogBatch, next string) (deliverResult, error) {
	var res deliverResult
	s.mu.Lock()
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
			res.duplicates++
			continue
		}
		inBatch[f.uuid] = struct{}{}
	}
	if keep != nil {
		batch.keepOnly(keep)
	}
	fresh := batch.facts
	// The consumer owns the records once called: take what onEvents needs first.
	var refs []systemLogEventRef
	if len(fresh) > 0 && p.onEvents != nil {
		refs = batch.refs
		if refs == nil {
			refs = batch.eventRefs()
		}
	}
	if len(fresh) > 0 {
		if p.resource != nil {
			p.resource(batch.logs.ResourceLogs().At(0).Resource())
		}
		var err error
		if p.obsrecv != nil {
			obsCtx := p.obsrecv.StartLogsOp(ctx)
			err = p.next.ConsumeLogs(obsCtx, batch.logs)
			p.obsrecv.EndLogsOp(obsCtx, metadata.Type.String(), len(fresh), err)
		} else {
			err = p.next.ConsumeLogs(ctx, batch.logs)
		}
		if err != nil {
			s.mu.Unlock()
			return deliverResult{}, &consumeError{events: len(fresh), err: err}
		}
	}
	newest := s.cp.LastPublished
	for _, f := range fresh {
		if f.uuid != "" {
			// A copy: f.uuid points into the whole page's text, which the window must not pin.
			s.window.add(strings.Clone(f.uuid))
		}
		if f.published.After(newest) {
			newest = f.published
		}
	}
	changed := len(fresh) > 0 || (next != "" && next != s.cp.NextURL)
	s.cp.LastPublished = newest
	if next != "" {
		s.cp.NextURL = next
	}
	var saveErr error
	if changed && p.storage != nil {
		cp := s.cp
		if packed, ok := s.window.packedSnapshot(); ok {
			cp.RecentUUIDsBin = packed
		} else {
			cp.RecentUUIDs = s.window.snapshot()
		}
		// The events are already downstream: save even if ctx was just cancelled (shutdown).
		saveErr = saveSystemLogCheckpoint(context.WithoutCancel(ctx), p.storage, &cp)
		s.noteCheckpointResult(p, saveErr)
	}
	s.mu.Unlock()

	res.delivered = len(fresh)
	s.countDelivered(trigger, fresh, newest, res.duplicates)
	if saveErr != nil {
		s.countError(errKindCheckpoint)
	}
	if refs != nil {
		p.onEvents(ctx, trigger, refs)
	}
	return res, nil
}

// consumeError is a rejection by the downstream consumer: nothing was marked or saved.
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
func (s *systemLogShared) noteCheckpointResult(p systemLogParams, err error) {
	switch {
	case err != nil && !s.checkpointFailed:
		s.checkpointFailed = true
		p.settings.Logger.Warn("Saving the System Log checkpoint failed; a restart now may deliver recent events again", zap.Error(err))
	case err == nil && s.checkpointFailed:
		s.checkpointFailed = false
		p.settings.Logger.Info("Saving the System Log checkpoint works again")
	}
}

// orgURL is the configured org endpoint ("" without a config).
func orgURL(p systemLogParams) string {
	if p.client != nil {
		return p.client.orgURL()
	}
	if p.cfg == nil {
		return ""
	}
	return p.cfg.ClientConfig.Endpoint
}
