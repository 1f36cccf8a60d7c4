package oktasim

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
)

// orgPageSpec is an endpoint's page-size contract (Okta's documented default and maximum page sizes).
type orgPageSpec struct {
	def int // default limit; -1 returns everything
	max int // larger limits are capped to max; 0 means no cap
}

// orgParseLimit returns the effective page size (0: everything) or writes
// a 400 E0000001 naming the limit parameter.
func orgParseLimit(w http.ResponseWriter, r *http.Request, spec orgPageSpec) (int, bool) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		if spec.def < 0 {
			return 0, true
		}
		return spec.def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 && !(n == -1 && spec.def == -1) {
		msg := "limit: must be a positive integer"
		if spec.max > 0 {
			msg = "limit: must be an integer between 1 and " + strconv.Itoa(spec.max)
		}
		writeOktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit", msg+", got "+strconv.Quote(raw))
		return 0, false
	}
	if n == -1 {
		return 0, true
	}
	if spec.max > 0 && n > spec.max {
		n = spec.max
	}
	return n, true
}

// orgParseAfter decodes the after cursor or writes a 400 naming it.
func orgParseAfter(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	seq, err := orgParseCursor(r.URL.Query().Get("after"))
	if err != nil {
		writeOktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after",
			"after: not a cursor this server issued; follow the next link as it is")
		return 0, false
	}
	return seq, true
}

// orgCollect returns up to limit objects of list after the cursor that
// match pred (nil: all), and whether more matching objects follow.
func orgCollect(list []*orgObj, after uint64, limit int, pred func(*orgObj) bool) ([]*orgObj, bool) {
	var page []*orgObj
	for i := orgStartAt(list, after); i < len(list); i++ {
		obj := list[i]
		if pred != nil && !pred(obj) {
			continue
		}
		if limit > 0 && len(page) == limit {
			return page, true
		}
		page = append(page, obj)
	}
	return page, false
}

// orgPage is a rendered list response, built under the store's read lock
// and written after it is released.
type orgPage struct {
	body []byte
	next string // cursor for rel="next"; "" on the last page
	// limit is echoed in the next link.
	limit int
}

// orgRenderPage renders objects as a JSON array with render.
func orgRenderPage(page []*orgObj, render func([]byte, *orgObj) []byte) []byte {
	buf := make([]byte, 0, 1024*max(1, len(page)))
	buf = append(buf, '[')
	for i, obj := range page {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = render(buf, obj)
	}
	return append(buf, ']')
}

// orgWritePage writes a list page: the body with the org URL filled in,
// one Link header line per relation (rel="self" always, rel="next" only
// when more objects follow). The next link keeps the request's other
// parameters and carries an opaque after cursor.
func orgWritePage(w http.ResponseWriter, r *http.Request, p orgPage) {
	base := baseURL(r)
	w.Header().Add("Link", "<"+base+r.URL.RequestURI()+`>; rel="self"`)
	if p.next != "" {
		q := r.URL.Query()
		q.Set("after", p.next)
		if p.limit > 0 {
			q.Set("limit", strconv.Itoa(p.limit))
		}
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	orgWriteBody(w, r, http.StatusOK, p.body)
}

// orgWriteBody writes a JSON body with the org URL filled in.
func orgWriteBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	body = bytes.ReplaceAll(body, []byte(orgURLPlaceholder), []byte(baseURL(r)))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// orgNextURL builds the absolute next URL for body-paginated endpoints.
func orgNextURL(r *http.Request, cursor string, limit int) string {
	q := r.URL.Query()
	q.Set("after", cursor)
	q.Set("limit", strconv.Itoa(limit))
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return baseURL(r) + u.String()
}

// orgNotFound writes Okta's 404 for an unknown id.
func orgNotFound(w http.ResponseWriter, id, what string) {
	writeOktaError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" ("+what+")")
}
