package oktasim

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// registerLogRoutes registers GET /api/v1/logs.
func (s *Server) registerLogRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/logs", s.logs.handleList)
}

// pageBuffers recycles the buffers pages are written from (a 1000-event
// page is about 2.5 MB).
var pageBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

// handleList serves GET /api/v1/logs: polling requests (no until,
// ascending) follow persistence order and always carry a next link; bounded
// requests follow published order and end.
func (l *logStore) handleList(w http.ResponseWriter, r *http.Request) {
	now := l.now()
	q := r.URL.Query()
	lq, qerr := parseLogQuery(q, now)
	if qerr != nil {
		writeOktaError(w, http.StatusBadRequest, qerr.code, qerr.summary, qerr.cause)
		return
	}
	page := l.page(lq, now.UnixMilli())

	base := baseURL(r)
	w.Header().Add("Link", "<"+base+r.URL.RequestURI()+`>; rel="self"`)
	if page.hasNext {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		if lq.polling {
			// The cursor carries the position; since is not repeated.
			next.Del("since")
		}
		next.Set("after", page.next)
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+next.Encode()+`>; rel="next"`)
	}

	bp := pageBuffers.Get().(*[]byte)
	b := append((*bp)[:0], '[')
	for i, ev := range page.events {
		if i > 0 {
			b = append(b, ',')
		}
		b = ev.appendJSON(b)
	}
	b = append(b, ']')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	if cap(b) <= 8<<20 {
		*bp = b
		pageBuffers.Put(bp)
	}
}
