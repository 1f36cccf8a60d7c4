package oktasim

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RequestRecord is one request to a management path or the token endpoint as the
// simulator saw and answered it: when it arrived, which bucket it counted against and
// what the answer announced. Times are on the clock the answers' Date header shows
// (FaultOptions.ClockSkew included), the clock X-Rate-Limit-Reset is on, so a client's
// compliance is checked in the server's own terms: a request that arrived before the
// reset a 429 of its bucket announced is a violation.
type RequestRecord struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`   // arrival
	Done     time.Time `json:"done"` // the answer was written (or the connection dropped)
	Method   string    `json:"method"`
	Template string    `json:"template"` // path with ids as {id}
	Bucket   string    `json:"bucket"`   // rate-limit bucket; "" for the token endpoint
	Client   string    `json:"client"`   // token or app name; "" when not authenticated
	Status   int       `json:"status"`   // 0: connection reset without an answer
	// Limit, Remaining and Reset are the X-Rate-Limit-* headers sent (Reset in epoch
	// seconds); RateHeaders is false when the answer had none.
	RateHeaders bool  `json:"rateHeaders"`
	Limit       int   `json:"limit,omitempty"`
	Remaining   int   `json:"remaining,omitempty"`
	Reset       int64 `json:"reset,omitempty"`
	// Cause says why a 429 was served: CauseRateLimit, CauseOtherClients,
	// CauseConcurrency, CauseHeaderless or CauseStorm.
	Cause string `json:"cause,omitempty"`
	// WindowReset is, for a 429 of an exhausted bucket, when the exhausted window really
	// ends (epoch seconds); it differs from Reset under the reset429 fault.
	WindowReset int64 `json:"windowReset,omitempty"`
}

// Causes of a 429.
const (
	CauseRateLimit    = "rate_limit"    // the client's share of the bucket is spent
	CauseOtherClients = "other_clients" // the org bucket is empty, the client's share is not
	CauseConcurrency  = "concurrency"   // the concurrency cap (limit and remaining 0, reset an estimate)
	CauseHeaderless   = "headerless"    // injected 429 without rate-limit headers
	CauseStorm        = "storm"         // injected 429 storm
)

// RequestLog is the body of GET /_sim/requests.
type RequestLog struct {
	// Capacity is how many records are kept (PlatformOptions.RecordRequests); older ones
	// are dropped and counted in Dropped.
	Capacity int             `json:"capacity"`
	Dropped  int64           `json:"dropped"`
	Requests []RequestRecord `json:"requests"`
}

// requestLog keeps the last capacity records. It is nil when recording is off.
type requestLog struct {
	mu       sync.Mutex
	capacity int
	next     int64
	ring     []RequestRecord // ring[i % capacity] holds seq i+1
	dropped  int64
}

func newRequestLog(capacity int) *requestLog {
	if capacity <= 0 {
		return nil
	}
	return &requestLog{capacity: capacity}
}

// add stores rec (its Seq is assigned here).
func (l *requestLog) add(rec RequestRecord) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.next++
	rec.Seq = l.next
	if len(l.ring) < l.capacity {
		l.ring = append(l.ring, rec)
		return
	}
	l.ring[(l.next-1)%int64(l.capacity)] = rec
	l.dropped++
}

// snapshot returns the records with Seq > since, oldest first.
func (l *requestLog) snapshot(since int64) RequestLog {
	if l == nil {
		return RequestLog{Requests: []RequestRecord{}}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := RequestLog{Capacity: l.capacity, Dropped: l.dropped, Requests: []RequestRecord{}}
	first := l.next - int64(len(l.ring)) + 1
	for seq := max(first, since+1); seq <= l.next; seq++ {
		out.Requests = append(out.Requests, l.ring[(seq-1)%int64(l.capacity)])
	}
	return out
}

func (l *requestLog) reset() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring, l.dropped = nil, 0
}

// recordingWriter remembers the status an answer was written with.
type recordingWriter struct {
	http.ResponseWriter
	status int
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Hijack lets resetConnection drop the connection (status stays 0).
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	return hj.Hijack()
}

// clientOf names the caller of r for the request record before (or without)
// authentication: the API token's or the access token's client, "" when unknown. A 429
// answered before authentication still belongs to the client that sent it.
func (p *platform) clientOf(r *http.Request) string {
	scheme, value, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	value = strings.TrimSpace(value)
	switch {
	case value == "":
	case strings.EqualFold(scheme, "SSWS"):
		if pr, ok := p.apiTokens[value]; ok {
			return pr.client
		}
	case strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "DPoP"):
		if t, _ := p.tokens.lookup(value, p.now()); t != nil {
			return t.principal.client
		}
	}
	return ""
}

// finishRecord fills rec from the answer written to w and stores it.
func (p *platform) finishRecord(rec *RequestRecord, w *recordingWriter) {
	rec.Done = p.headerClock()
	rec.Status = w.status
	h := w.Header()
	limit, errL := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, errT := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if errL == nil && errR == nil && errT == nil {
		rec.RateHeaders, rec.Limit, rec.Remaining, rec.Reset = true, limit, remaining, reset
	}
	p.requests.add(*rec)
}
