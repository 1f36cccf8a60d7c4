package oktasim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits of GET /api/v1/logs (Okta's documented bounds).
const (
	logsDefaultLimit = 100
	// logsMaxLimit: larger limits are capped to it (Okta documents 0–1000
	// and not what happens above; capping keeps clients that ask for more
	// working).
	logsMaxLimit       = 1000
	logsMaxSinceAge    = 180 * 24 * time.Hour
	logsDefaultWindow  = 7 * 24 * time.Hour
	logsMaxKeywords    = 10
	logsMaxKeywordLen  = 40
	logsScanBudget     = 250_000 // events examined per page at most, so a rare filter cannot stall the store
	boundedCursorTag   = "b1"
	pollingCursorSplit = "_"
)

// logQuery is a validated GET /api/v1/logs request.
type logQuery struct {
	polling    bool
	since      int64 // Unix ms
	until      int64 // Unix ms, bounded only
	limit      int
	descending bool
	filter     logFilter
	keywords   []string

	// Polling cursor: resume after this sequence number.
	hasAfter bool
	afterSeq uint64
	// Bounded cursor: resume after (pub, seq) in published order, seeing
	// only events persisted up to snapshot.
	hasBounded  bool
	cursorPub   int64
	cursorSeq   uint64
	snapshotSeq uint64
}

// queryError is a 400 answer: Okta error code, summary and cause.
type queryError struct {
	code, summary, cause string
}

func (e *queryError) Error() string { return e.summary + ": " + e.cause }

func invalidParam(name, cause string) *queryError {
	return &queryError{code: "E0000001", summary: "Api validation failed: " + name, cause: name + ": " + cause}
}

// parseLogQuery validates the parameters of GET /api/v1/logs.
func parseLogQuery(q url.Values, now time.Time) (*logQuery, *queryError) {
	lq := &logQuery{limit: logsDefaultLimit}
	switch so := q.Get("sortOrder"); so {
	case "", "ASCENDING":
	case "DESCENDING":
		lq.descending = true
	default:
		return nil, invalidParam("sortOrder", fmt.Sprintf("must be ASCENDING or DESCENDING, got %q", so))
	}
	untilStr := q.Get("until")
	lq.polling = untilStr == "" && !lq.descending
	until := now
	if untilStr != "" {
		t, err := parseLogTime(untilStr)
		if err != nil {
			return nil, invalidParam("until", err.Error())
		}
		until = t
	}
	lq.until = until.UnixMilli()
	since := until.Add(-logsDefaultWindow)
	if s := q.Get("since"); s != "" {
		t, err := parseLogTime(s)
		if err != nil {
			return nil, invalidParam("since", err.Error())
		}
		since = t
		if now.Sub(t) > logsMaxSinceAge {
			return nil, &queryError{code: "E0000053", summary: "Invalid filter parameter",
				cause: "since: the since parameter is over 180 days prior to the current day"}
		}
	}
	lq.since = since.UnixMilli()
	if !lq.polling && lq.since > lq.until {
		return nil, invalidParam("since", "must not be after until")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, invalidParam("limit", fmt.Sprintf("must be an integer from 0 to %d, got %q", logsMaxLimit, s))
		}
		lq.limit = min(n, logsMaxLimit)
	}
	if f := q.Get("filter"); f != "" {
		parsed, err := parseLogFilter(f)
		if errors.Is(err, errFilterContains) {
			return nil, &queryError{code: "E0000031", summary: "Invalid search criteria.", cause: "filter: " + err.Error()}
		}
		if err != nil {
			return nil, &queryError{code: "E0000053", summary: "Invalid filter parameter", cause: "filter: " + err.Error()}
		}
		lq.filter = parsed
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		words := strings.Fields(s)
		if len(words) > logsMaxKeywords {
			return nil, invalidParam("q", fmt.Sprintf("at most %d keywords, got %d", logsMaxKeywords, len(words)))
		}
		for _, w := range words {
			if len(w) > logsMaxKeywordLen {
				return nil, invalidParam("q", fmt.Sprintf("keyword %.20q… is longer than %d characters", w, logsMaxKeywordLen))
			}
			lq.keywords = append(lq.keywords, strings.ToLower(w))
		}
	}
	if a := q.Get("after"); a != "" {
		if err := lq.parseCursor(a); err != nil {
			return nil, invalidParam("after", err.Error())
		}
	}
	return lq, nil
}

// parseLogTime accepts the ISO 8601 forms Okta documents
// (2017-10-01T00:00:00.000Z, with or without fraction, Z or an offset).
func parseLogTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time such as 2017-10-01T00:00:00.000Z", s)
}

// pollingCursor encodes a persistence position: "<persisted ms>_<seq>".
func pollingCursor(persistedMs int64, seq uint64) string {
	return strconv.FormatInt(persistedMs, 10) + pollingCursorSplit + strconv.FormatUint(seq, 10)
}

// boundedCursor encodes a published-order position and the snapshot, so
// later pages of a bounded query do not see events persisted after it began.
func boundedCursor(pub int64, seq, snapshot uint64) string {
	raw := fmt.Sprintf("%s.%d.%d.%d", boundedCursorTag, pub, seq, snapshot)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func (lq *logQuery) parseCursor(a string) error {
	if lq.polling {
		ms, seq, ok := strings.Cut(a, pollingCursorSplit)
		if !ok {
			return errors.New("not a cursor of a polling request; follow the next link as it is")
		}
		if _, err := strconv.ParseInt(ms, 10, 64); err != nil {
			return errors.New("malformed cursor")
		}
		n, err := strconv.ParseUint(seq, 10, 64)
		if err != nil {
			return errors.New("malformed cursor")
		}
		lq.hasAfter, lq.afterSeq = true, n
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil {
		return errors.New("not a cursor of a bounded request; follow the next link as it is")
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 4 || parts[0] != boundedCursorTag {
		return errors.New("malformed cursor")
	}
	pub, err1 := strconv.ParseInt(parts[1], 10, 64)
	seq, err2 := strconv.ParseUint(parts[2], 10, 64)
	snap, err3 := strconv.ParseUint(parts[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return errors.New("malformed cursor")
	}
	lq.hasBounded, lq.cursorPub, lq.cursorSeq, lq.snapshotSeq = true, pub, seq, snap
	return nil
}

// matches applies filter and keywords.
func (lq *logQuery) matches(ev *storedEvent) bool {
	if lq.filter == nil && len(lq.keywords) == 0 {
		return true
	}
	v := eventView{ev: ev}
	if lq.filter != nil && !lq.filter.match(&v) {
		return false
	}
	return keywordMatch(&v, lq.keywords)
}
