package oktasim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// hookRegistration is what POST /_sim/hooks accepts.
type hookRegistration struct {
	URL        string `json:"url"`
	AuthHeader *struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"authHeader"`
	Events []string `json:"events"`
}

// register creates a hook, performs Okta's one-time verification GET and,
// when it succeeds, starts deliveries. A hook that fails verification stays
// registered as UNVERIFIED and receives nothing. fallbackOrgURL names the org
// in the delivery source when the store was not started by Server.Start.
func (m *hookManager) register(reg hookRegistration, fallbackOrgURL string) *eventHook {
	m.mu.Lock()
	id := newOktaID(m.rng, "who")
	ctx, orgURL := m.baseCtx, m.orgURL
	m.mu.Unlock()
	if orgURL == "" {
		orgURL = fallbackOrgURL
	}
	h := &eventHook{
		id:      id,
		url:     reg.URL,
		created: m.now(),
		source:  orgURL + "/api/v1/eventHooks/" + id,
		signal:  make(chan struct{}, 1),
	}
	h.lastError.Store("")
	if reg.AuthHeader != nil {
		h.authKey, h.authValue = reg.AuthHeader.Key, reg.AuthHeader.Value
	}
	if len(reg.Events) > 0 {
		h.types = map[string]bool{}
		for _, t := range reg.Events {
			h.types[t] = true
		}
	}
	hookCtx, cancel := context.WithCancel(ctx)
	h.cancel = cancel
	if err := m.verify(hookCtx, h); err != nil {
		h.lastError.Store(err.Error())
	} else {
		h.verified.Store(true)
	}
	m.mu.Lock()
	m.hooks[id] = h
	m.mu.Unlock()
	if h.verified.Load() {
		m.workers.Go(func() { m.dispatch(hookCtx, h) })
	}
	return h
}

// verify sends the verification GET with a fresh challenge and checks the
// echo.
func (m *hookManager) verify(ctx context.Context, h *eventHook) error {
	challenge := randomToken(40)
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, nil)
	if err != nil {
		return fmt.Errorf("verification request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-okta-verification-challenge", challenge)
	h.setAuth(req)
	resp, err := m.client.Do(req)
	if err != nil {
		return fmt.Errorf("verification request: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("verification response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("verification response: status %d, want 200", resp.StatusCode)
	}
	var answer struct {
		Verification string `json:"verification"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return fmt.Errorf("verification response: body is not JSON {\"verification\":…}: %w", err)
	}
	if answer.Verification != challenge {
		return errors.New("verification response: \"verification\" does not echo the challenge")
	}
	return nil
}

func (h *eventHook) setAuth(req *http.Request) {
	if h.authKey != "" {
		req.Header.Set(h.authKey, h.authValue)
	}
}

// dispatch batches a hook's pending events and hands them to at most
// Concurrency delivery goroutines, until ctx is done.
func (m *hookManager) dispatch(ctx context.Context, h *eventHook) {
	slots := make(chan struct{}, m.opts.Concurrency)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		n, first := h.pendingState()
		if n == 0 {
			select {
			case <-ctx.Done():
				return
			case <-h.signal:
				continue
			}
		}
		if wait := m.opts.BatchWindow - time.Since(first); n < m.opts.BatchSize && wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case slots <- struct{}{}:
		}
		batch := h.take(m.opts.BatchSize)
		m.workers.Go(func() {
			defer func() { <-slots }()
			m.deliver(ctx, h, batch)
		})
	}
}

// deliver POSTs one batch, retrying on 5xx and timeouts, and sometimes sends
// it twice (DuplicateShare).
func (m *hookManager) deliver(ctx context.Context, h *eventHook, batch []*storedEvent) {
	body := hookBody(h.source, randomUUID(), m.now(), batch)
	ok := m.postWithRetry(ctx, h, body, len(batch))
	if ok && m.draw(m.opts.DuplicateShare) {
		h.duplicated.Add(1)
		m.postWithRetry(ctx, h, hookBody(h.source, randomUUID(), m.now(), batch), len(batch))
	}
}

func (m *hookManager) postWithRetry(ctx context.Context, h *eventHook, body []byte, events int) bool {
	for attempt := 0; ; attempt++ {
		retryable, err := m.post(ctx, h, body)
		if err == nil {
			h.succeeded.Add(1)
			h.eventsDelivered.Add(uint64(events))
			return true
		}
		h.lastError.Store(err.Error())
		if !retryable || attempt >= m.opts.Retries || ctx.Err() != nil {
			h.failed.Add(1)
			return false
		}
		select {
		case <-ctx.Done():
			h.failed.Add(1)
			return false
		case <-time.After(m.opts.RetryDelay):
		}
		h.retried.Add(1)
	}
}

// post sends one delivery request; retryable is true for 5xx, timeouts and
// transport errors.
func (m *hookManager) post(ctx context.Context, h *eventHook, body []byte) (retryable bool, err error) {
	h.attempted.Add(1)
	ctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("delivery request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	h.setAuth(req)
	resp, err := m.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("delivery: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("delivery: status %d", resp.StatusCode)
	default:
		return false, fmt.Errorf("delivery: status %d (not retried)", resp.StatusCode)
	}
}

// hookBody builds the cloud-events envelope of a delivery around the
// events' pre-encoded JSON.
func hookBody(source, eventID string, at time.Time, batch []*storedEvent) []byte {
	size := 400
	for _, ev := range batch {
		size += ev.jsonLen() + 1
	}
	b := make([]byte, 0, size)
	b = append(b, `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":`...)
	b = appendJSONString(b, source)
	b = append(b, `,"eventId":`...)
	b = appendJSONString(b, eventID)
	b = append(b, `,"eventTime":"`...)
	b = at.UTC().AppendFormat(b, oktaTimeLayout)
	b = append(b, `","contentType":"application/json","data":{"events":[`...)
	for i, ev := range batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = ev.appendJSON(b)
	}
	return append(b, "]}}"...)
}
