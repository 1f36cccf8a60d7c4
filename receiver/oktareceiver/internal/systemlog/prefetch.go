package systemlog

import (
	"context"
	"fmt"
	"time"
)

// systemLogPage is one System Log page fetched and decoded, or the error that prevented it.
type systemLogPage struct {
	events *Batch
	// next is the page's `next` link ("" when Okta sent none).
	next string
	// full is true when the page held `limit` events and has a next link: the next page is
	// requested at once (and may be prefetched) instead of after poll_interval.
	full bool
	err  error
}

// fetchSystemLogPage requests url and decodes the page. It does not deliver anything.
func (p *Poller) fetchSystemLogPage(ctx context.Context, url string) systemLogPage {
	page, err := p.params.Client.SystemLogPage(ctx, url)
	if err != nil {
		return systemLogPage{err: fmt.Errorf("fetch System Log page: %w", err)}
	}
	events, err := DecodePage(page.Body, time.Now())
	if err != nil {
		return systemLogPage{err: &invalidPageError{err: err}}
	}
	if p.params.OnChanges != nil {
		// Built here, in parallel with the delivery of the previous page (Batch.refs).
		events.refs = events.eventRefs()
	}
	return systemLogPage{
		events: events,
		next:   page.Next,
		full:   events.Len() >= p.params.Config.Limit && page.Next != "",
	}
}

// systemLogPrefetch fetches and decodes one page in the background while the previous page is
// being delivered: the bounded one-page lookahead of the poller. It only reads: delivering the
// page, and with it the checkpoint, stays with the poller loop, in page order.
type systemLogPrefetch struct {
	url    string
	cancel context.CancelFunc
	done   chan systemLogPage // buffered: the goroutine never blocks on it
}

// startSystemLogPrefetch starts fetching url; the fetch ends when ctx ends or discard is called.
func (p *Poller) startSystemLogPrefetch(ctx context.Context, url string) *systemLogPrefetch {
	fetchCtx, cancel := context.WithCancel(ctx)
	f := &systemLogPrefetch{url: url, cancel: cancel, done: make(chan systemLogPage, 1)}
	go func() {
		f.done <- p.fetchSystemLogPage(fetchCtx, url)
	}()
	return f
}

// result waits for the fetch and returns its page (an error page if ctx ended first).
func (f *systemLogPrefetch) result() systemLogPage {
	page := <-f.done
	f.cancel()
	return page
}

// discard cancels the fetch, drops its page and waits for the goroutine to end. Nil-safe.
func (f *systemLogPrefetch) discard() {
	if f == nil {
		return
	}
	f.cancel()
	<-f.done
}
