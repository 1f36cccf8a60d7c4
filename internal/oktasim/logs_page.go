package oktasim

import "sort"

// logPage is the answer to one query: the events and, unless the query is
// bounded and exhausted, the cursor of the next page.
type logPage struct {
	events  []*storedEvent
	hasNext bool
	next    string
}

// page runs lq against the store. Polling pages always have a next cursor.
func (l *logStore) page(lq *logQuery, nowMs int64) logPage {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if lq.polling {
		return l.pollingPageLocked(lq)
	}
	return l.boundedPageLocked(lq, nowMs)
}

// pollingPageLocked follows persistence order from the cursor (or from the
// first event persisted at or after since).
func (l *logStore) pollingPageLocked(lq *logQuery) logPage {
	var i int
	if lq.hasAfter {
		i = l.indexAfterSeq(lq.afterSeq)
	} else {
		i = sort.Search(len(l.bySeq), func(k int) bool { return l.bySeq[k].persisted >= lq.since })
	}
	// The position before i: where the next page resumes when nothing is
	// returned.
	cursorSeq, cursorMs := l.lastSeq, l.lastPersisted
	if i < len(l.bySeq) {
		cursorSeq = l.bySeq[i].seq - 1
		cursorMs = l.bySeq[i].persisted
	}
	if lq.hasAfter && lq.afterSeq > cursorSeq {
		cursorSeq = lq.afterSeq
	}
	page := logPage{hasNext: true}
	budget := logsScanBudget
	for ; i < len(l.bySeq) && len(page.events) < lq.limit && budget > 0; i++ {
		ev := l.bySeq[i]
		budget--
		cursorSeq, cursorMs = ev.seq, ev.persisted
		if lq.matches(ev) {
			page.events = append(page.events, ev)
		}
	}
	page.next = pollingCursor(cursorMs, cursorSeq)
	return page
}

// boundedPageLocked follows published order within [since, until), seeing
// only events persisted before the query's first page.
func (l *logStore) boundedPageLocked(lq *logQuery, nowMs int64) logPage {
	snapshot := l.lastSeq
	if lq.hasBounded {
		snapshot = lq.snapshotSeq
	}
	cutoff := nowMs - l.opts.Retention.Milliseconds()
	since := max(lq.since, cutoff)
	idx := l.byPublished
	var page logPage
	budget := logsScanBudget
	visible := func(ev *storedEvent) bool {
		return ev.seq <= snapshot && ev.published >= since && ev.published < lq.until
	}
	if !lq.descending {
		i := sort.Search(len(idx), func(k int) bool {
			ev := idx[k]
			if lq.hasBounded {
				return ev.published > lq.cursorPub || ev.published == lq.cursorPub && ev.seq > lq.cursorSeq
			}
			return ev.published >= since
		})
		for ; i < len(idx) && idx[i].published < lq.until; i++ {
			ev := idx[i]
			if !visible(ev) || !lq.matches(ev) {
				if budget--; budget <= 0 {
					break
				}
				continue
			}
			if len(page.events) == lq.limit {
				page.hasNext = true
				break
			}
			page.events = append(page.events, ev)
			budget--
		}
		if budget <= 0 && i < len(idx) && idx[i].published < lq.until {
			page.hasNext = true
		}
	} else {
		i := sort.Search(len(idx), func(k int) bool {
			ev := idx[k]
			if lq.hasBounded {
				return ev.published > lq.cursorPub || ev.published == lq.cursorPub && ev.seq >= lq.cursorSeq
			}
			return ev.published >= lq.until
		}) - 1
		for ; i >= 0 && idx[i].published >= since; i-- {
			ev := idx[i]
			if !visible(ev) || !lq.matches(ev) {
				if budget--; budget <= 0 {
					break
				}
				continue
			}
			if len(page.events) == lq.limit {
				page.hasNext = true
				break
			}
			page.events = append(page.events, ev)
			budget--
		}
		if budget <= 0 && i >= 0 && idx[i].published >= since {
			page.hasNext = true
		}
	}
	if page.hasNext {
		if n := len(page.events); n > 0 {
			last := page.events[n-1]
			page.next = boundedCursor(last.published, last.seq, snapshot)
		} else if lq.hasBounded {
			page.next = boundedCursor(lq.cursorPub, lq.cursorSeq, snapshot)
		} else {
			// Budget exhausted before the first match: resume at the start.
			page.hasNext = false
		}
	}
	return page
}
