package oktasim

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"time"
)

// injectFaults applies the configured faults to a request, in this order:
// pause, latency, connection reset, 5xx, 429 without headers, 429 storm, body truncation. When
// served is true the request was answered (or dropped) and must not reach
// the handler. Otherwise the returned writer replaces w and finish must run
// after the handler.
func (p *platform) injectFaults(w http.ResponseWriter, r *http.Request, bucket string, rec *RequestRecord) (out http.ResponseWriter, finish func(), served bool) {
	noop := func() {}
	f, _ := p.faults.get()
	if !f.applies(r.URL.Path) {
		return w, noop, false
	}
	if !p.waitWhilePaused(r) {
		return w, noop, true // the client gave up
	}
	f, _ = p.faults.get() // may have changed while paused
	if delay := f.Latency + p.faults.jitter(f.LatencyJitter); delay > 0 {
		p.stats.do(func(s *PlatformStats) { s.Delayed++ })
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return w, noop, true
		}
	}
	now := p.now()
	setDate(w, p.headerClock())
	if f.ResetRate > 0 && p.faults.roll() < f.ResetRate {
		p.stats.do(func(s *PlatformStats) { s.Resets++ })
		resetConnection(w)
		return w, noop, true
	}
	if f.ErrorRate > 0 && p.faults.roll() < f.ErrorRate {
		p.stats.do(func(s *PlatformStats) { s.Injected5xx++ })
		writeOktaError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
		return w, noop, true
	}
	if f.HeaderlessRate > 0 && p.faults.roll() < f.HeaderlessRate {
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.Headerless429 })
		rec.setCause(CauseHeaderless)
		writeTooManyRequests(w)
		return w, noop, true
	}
	stormActive := now.Before(f.StormUntil)
	if stormActive || (f.StormRate > 0 && p.faults.roll() < f.StormRate) {
		reset := now.Add(time.Second)
		if stormActive {
			reset = f.StormUntil
		}
		b := bucket
		if b == "" {
			b = BucketDefault
		}
		p.setRateHeaders(w.Header(), p.limiter.clientLimit(b), 0, reset)
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.Storm429 })
		rec.setCause(CauseStorm)
		writeTooManyRequests(w)
		return w, noop, true
	}
	if f.TruncateRate > 0 && p.faults.roll() < f.TruncateRate {
		tw := &truncatingWriter{ResponseWriter: w}
		return tw, func() {
			if tw.finish() {
				p.stats.do(func(s *PlatformStats) { s.Truncated++ })
			}
		}, false
	}
	return w, noop, false
}

// waitWhilePaused holds the request while faults say paused (and the pause
// deadline, if any, has not passed). It returns false if the client went away.
func (p *platform) waitWhilePaused(r *http.Request) bool {
	counted := false
	for {
		f, changed := p.faults.get()
		now := p.now()
		if !f.Paused || !f.applies(r.URL.Path) || (!f.PauseUntil.IsZero() && !now.Before(f.PauseUntil)) {
			return true
		}
		if !counted {
			counted = true
			p.stats.do(func(s *PlatformStats) { s.Paused++ })
		}
		var deadline <-chan time.Time
		if !f.PauseUntil.IsZero() {
			t := time.NewTimer(f.PauseUntil.Sub(now))
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-changed:
		case <-deadline:
		case <-r.Context().Done():
			return false
		}
	}
}

// resetConnection closes the client's TCP connection without a response
// (with SO_LINGER 0, so the client sees a reset rather than a clean close).
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // e.g. HTTP/2: abort the stream instead
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// truncatingWriter buffers a response and, if it is a 200 with a body,
// sends only the first half of the body (with a matching Content-Length, so
// the client reads a complete but cut response).
type truncatingWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *truncatingWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}

func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.buf.Write(b)
}

// finish sends the (possibly cut) response and reports whether it was cut.
func (t *truncatingWriter) finish() bool {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	body := t.buf.Bytes()
	cut := t.status == http.StatusOK && len(body) > 1
	if cut {
		body = body[:len(body)/2]
	}
	t.ResponseWriter.Header().Set("Content-Length", strconv.Itoa(len(body)))
	t.ResponseWriter.WriteHeader(t.status)
	_, _ = t.ResponseWriter.Write(body)
	return cut
}
