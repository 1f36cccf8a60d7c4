package systemlog

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// Triggers passed to Params.OnChanges (the okta.change.trigger of the inventory's records).
const (
	TriggerSystemLog = "system_log"
	TriggerEventHook = "event_hook"
)

// Params is what the receiver hands to the System Log poller and to the event hook endpoint.
// Pass the SAME params (in particular the same Shared) to NewPoller and NewHookServer so both
// feed one dedupe window and one checkpoint.
type Params struct {
	// Config is the system_log section; Hooks the event_hooks section (nil without the endpoint).
	Config *Config
	Hooks  *HooksConfig
	// Telemetry gives the logger and the telemetry settings of the hook's HTTP server.
	Telemetry receiver.Settings
	// OrgURL is the org the checkpoint belongs to, used when Client is nil (Client.OrgURL() otherwise).
	OrgURL string
	// StorageID names the storage extension in log lines ("" without one).
	StorageID string
	// Client is the only code that talks HTTP to Okta (nil for the hook endpoint alone).
	Client *oktaapi.Client
	// Storage holds the checkpoint; nil or storage.NewNopClient() keeps it in memory only.
	Storage storage.Client
	// Emit hands each batch downstream (resource attributes, obsreport).
	Emit *emit.Emitter
	// OnChanges is told, for every batch the consumer accepted and after de-duplication,
	// which inventory objects its events say changed (nothing when none does). ctx may end
	// right after the call (the hook's request context). nil: nobody listens.
	OnChanges ChangeNotifier
	// Shared is the dedupe window, checkpoint and counters common to the poller and the hook
	// endpoint; create it once with NewShared(Config). nil: the constructor makes one.
	Shared *Shared
}

// Stats is a snapshot of the System Log counters, read by the metrics scraper.
type Stats struct {
	// EventsByOutcome counts delivered events by outcome.result ("UNKNOWN" when absent).
	EventsByOutcome map[string]int64
	// Pages counts System Log pages fetched and consumed.
	Pages int64
	// Errors counts failures by kind: unauthorized, bad_request, rate_limited, server, transport,
	// invalid_page, consumer, checkpoint, foreign_link, other.
	Errors map[string]int64
	// NewestPublished is the newest `published` delivered so far (zero before the first event).
	NewestPublished time.Time
	// HookEvents counts events delivered through the event hook endpoint (after dedupe).
	HookEvents int64
	// Duplicates counts events dropped because their uuid was already delivered.
	Duplicates int64
	// Skipped counts events the pipeline refused and that were skipped, by reason
	// (permanent, retries_exhausted; poison.go).
	Skipped map[string]int64
}

// Poller reads the System Log in polling mode and delivers each page exactly once
// (Okta's polling mode): `since` once, then only `next` links; the checkpoint moves only after the
// downstream consumer accepted the page.
type Poller struct {
	params Params
	shared *Shared

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewPoller builds a poller; nothing runs before start.
func NewPoller(params Params) *Poller {
	if params.Shared == nil {
		params.Shared = NewShared(params.Config)
	}
	return &Poller{params: params, shared: params.Shared}
}

// Start loads the checkpoint and starts the polling goroutine. It does not call Okta.
func (p *Poller) Start(ctx context.Context, host component.Host) error {
	if err := p.shared.load(ctx, p.params); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Go(func() { p.run(runCtx, host) })
	return nil
}

// Shutdown stops polling and waits for the goroutine. Safe without start and twice.
func (p *Poller) Shutdown(context.Context) error {
	if p == nil || p.cancel == nil {
		return nil
	}
	p.cancel()
	p.wg.Wait()
	return nil
}

// Stats returns a snapshot of the counters (shared with the event hook). Nil-safe.
func (p *Poller) Stats() Stats {
	if p == nil {
		return Stats{EventsByOutcome: map[string]int64{}, Errors: map[string]int64{}, Skipped: map[string]int64{}}
	}
	return p.shared.Stats()
}

// systemLogFallbackMargin is how far before the last delivered `published` a restart reaches
// back when the stored cursor cannot be used (Okta persists some events late); the dedupe
// window removes what was already delivered.
const systemLogFallbackMargin = 15 * time.Minute

// systemLogMaxSince keeps a computed `since` inside Okta's accepted range (it rejects values
// older than 180 days and keeps 90 days of events).
const systemLogMaxSince = 90 * 24 * time.Hour

// run polls until ctx is cancelled: fetch the cursor's page, deliver it, move the cursor;
// wait poll_interval after a short page, back off after a failure (same cursor again).
//
// After a full page the next page is fetched and decoded (systemLogPrefetch) while this one is
// being delivered, so the network, the decoder and the pipeline work in parallel during a
// backfill. The lookahead is one page, and it changes nothing about what is committed: pages
// are delivered in order by this loop, the checkpoint of a page is saved only after its
// delivery succeeded, and a failed delivery discards the prefetched page before page N is
// fetched again from the same cursor. A short page is never followed by a prefetch: the next
// request waits poll_interval.
func (p *Poller) run(ctx context.Context, host component.Host) {
	cfg := *p.params.Config
	cursor, _ := p.shared.cursor()
	status := newSystemLogStatus(host, p.params.Telemetry.Logger)
	// retry is the wait after a failed page: the receiver's one backoff policy, from
	// initial_backoff to max_backoff, reset by a page that succeeds.
	retry := oktaapi.NewBackoff(cfg.InitialBackoff, cfg.MaxBackoff)
	// refusals counts the pipeline's refusals of the page at cursor in a row; isolate, when
	// set, makes the next delivery of that page event by event (poison.go), and
	// refusal is the last refusal, logged with the events that are skipped.
	refusals, isolate := 0, ""
	var refusal error
	var ahead *systemLogPrefetch
	defer func() { ahead.discard() }()
	for ctx.Err() == nil {
		url := cursor
		if url == "" {
			_, lastPublished := p.shared.cursor()
			url = StartURL(cfg, lastPublished, time.Now())
		}
		var page systemLogPage
		if ahead != nil && ahead.url == url {
			page = ahead.result()
		} else {
			ahead.discard()
			page = p.fetchSystemLogPage(ctx, url)
		}
		ahead = nil
		if ctx.Err() != nil {
			return
		}
		err := page.err
		if err == nil {
			if page.full && isolate == "" {
				ahead = p.startSystemLogPrefetch(ctx, page.next)
			}
			err = p.deliverSystemLogPage(ctx, page, isolate, refusal)
			if err != nil {
				// Page N is fetched again from the same cursor; N+1 must not be delivered first.
				ahead.discard()
				ahead = nil
			}
		}
		if ctx.Err() != nil {
			return
		}
		var wait time.Duration
		if err != nil {
			kind, permanent, resetCursor := classifySystemLogError(err)
			p.shared.countError(kind)
			if resetCursor {
				cursor = ""
				refusals, isolate, refusal = 0, "", nil
			}
			refusedForGood := false
			var consumeErr *consumeError
			if errors.As(err, &consumeErr) {
				refusals++
				refusal = err
				switch {
				case consumererror.IsPermanent(err):
					p.shared.countError(ErrKindConsumerPermanent)
					isolate, refusedForGood = SkipReasonPermanent, true
				case cfg.MaxDeliveryAttempts > 0 && refusals >= cfg.MaxDeliveryAttempts:
					isolate = SkipReasonRetriesExhausted
				}
			}
			switch {
			case refusedForGood:
				// Retrying the page whole cannot help: isolate its events at once.
				status.recoverable(err)
			case permanent:
				status.permanent(err)
				wait = cfg.UnauthorizedRetryInterval
			case kind == ErrKindRateLimited:
				// The client already waited for the announced reset; its rate limiter holds
				// the next request as long as Okta asked. No backoff on top.
				status.recoverable(err)
			default:
				status.recoverable(err)
				wait = retry.NextBackOff()
			}
		} else {
			retry.Reset()
			refusals, isolate, refusal = 0, "", nil
			if page.next != "" {
				cursor = page.next
				status.ok()
			} else {
				// Okta always sends a next link on a polling answer: without it (a proxy that
				// strips the Link header), keep the request as the cursor and ask again after
				// poll_interval instead of inventing a since window.
				cursor = url
				p.shared.countError(ErrKindMissingNext)
				status.recoverable(ErrMissingNextLink)
			}
			if !page.full {
				wait = cfg.PollInterval
			}
		}
		if wait > 0 && !sleepCtx(ctx, wait) {
			return
		}
	}
}

// ErrMissingNextLink is reported (component status, one log line) while System Log answers
// arrive without a next link.
var ErrMissingNextLink = errors.New("the System Log answer has no next link (no Link header with rel=\"next\"; " +
	"a proxy between the collector and Okta may strip it): the same request is repeated every poll_interval and no new position is saved until a next link arrives")

// deliverSystemLogPage hands a fetched page downstream and, once accepted, commits its next
// link as the cursor (Shared.deliver). With isolate set (a skip reason), the page's
// events are delivered one by one and those the pipeline refuses are skipped (cause is the
// refusal that led to this).
func (p *Poller) deliverSystemLogPage(ctx context.Context, page systemLogPage, isolate string, cause error) error {
	var err error
	if isolate == "" {
		_, err = p.shared.deliver(ctx, p.params, TriggerSystemLog, page.events, page.next)
	} else {
		_, err = p.shared.deliverIsolated(ctx, p.params, TriggerSystemLog, page.events, page.next, isolate, cause)
	}
	if err != nil {
		return err
	}
	p.shared.countPage()
	return nil
}

// StartURL builds the first polling request: since = now − initial_lookback, or,
// when a previous run delivered events but its cursor is unusable, the last published time
// minus a safety margin, never before Okta's retention.
func StartURL(cfg Config, lastPublished, now time.Time) string {
	since := now.Add(-cfg.InitialLookback)
	if !lastPublished.IsZero() {
		since = lastPublished.Add(-systemLogFallbackMargin)
	}
	if oldest := now.Add(-systemLogMaxSince); since.Before(oldest) {
		since = oldest
	}
	return oktaapi.SystemLogStart(since, cfg.Limit, cfg.Filter)
}

// invalidPageError marks a page that could not be decoded (truncated or not a LogEvent array).
type invalidPageError struct{ err error }

func (e *invalidPageError) Error() string { return "invalid System Log page: " + e.err.Error() }
func (e *invalidPageError) Unwrap() error { return e.err }

// classifySystemLogError names the error kind and says whether it needs a human (permanent:
// retried slowly) and whether the cursor must be rebuilt from `since`.
func classifySystemLogError(err error) (kind string, permanent, resetCursor bool) {
	var invalid *invalidPageError
	var consumeErr *consumeError
	switch {
	case errors.As(err, &consumeErr):
		return ErrKindConsumer, false, false
	case errors.As(err, &invalid):
		return ErrKindInvalidPage, false, false
	}
	switch oktaapi.Classify(err) {
	case oktaapi.KindForeignLink:
		return ErrKindForeignLink, false, true
	case oktaapi.KindRateLimited:
		return ErrKindRateLimited, false, false
	case oktaapi.KindUnauthorized, oktaapi.KindForbidden:
		return ErrKindUnauthorized, true, false
	case oktaapi.KindBadRequest:
		// A bad filter or an expired cursor: rebuild from `since`, and tell a human.
		return ErrKindBadRequest, true, true
	case oktaapi.KindServer:
		return ErrKindServer, false, false
	case oktaapi.KindNotFound, oktaapi.KindStatus:
		return ErrKindOther, false, false
	}
	return ErrKindTransport, false, false
}

// sleepCtx waits d or until ctx is done; it reports whether the full wait elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
