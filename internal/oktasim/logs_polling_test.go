package oktasim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLogsPollingEmptyPageHasNextAndAfterResumesExactly(t *testing.T) {
	_, base := startLogsServer(t, nil)

	first := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute)}))
	if first.status != http.StatusOK || len(first.events) != 0 {
		t.Fatalf("empty log: status %d, %d events", first.status, len(first.events))
	}
	if first.nLinks != 2 || first.links["self"] == "" || first.links["next"] == "" {
		t.Fatalf("empty polling page: want separate self and next Link headers, got %d lines %v", first.nLinks, first.links)
	}
	if strings.Contains(first.links["next"], "since=") {
		t.Errorf("next link repeats since: %s", first.links["next"])
	}

	want := injectSpecs(t, base, 5, "user.lifecycle.activate", 0)
	page := getLogs(t, first.links["next"])
	if got := uuidsOf(page.events); !equalStrings(got, want) {
		t.Fatalf("after resume: got %v, want %v", got, want)
	}
	empty := getLogs(t, page.links["next"])
	if len(empty.events) != 0 || empty.links["next"] == "" {
		t.Fatalf("caught-up page: %d events, next %q", len(empty.events), empty.links["next"])
	}
	// Requesting the same next URL again after new events returns exactly them.
	more := injectSpecs(t, base, 3, "group.user_membership.add", 0)
	again := getLogs(t, empty.links["next"])
	if got := uuidsOf(again.events); !equalStrings(got, more) {
		t.Fatalf("second resume: got %v, want %v", got, more)
	}
	// The cursor is opaque-looking, not a uuid.
	if strings.Contains(again.links["next"], more[2]) {
		t.Errorf("cursor leaks an event uuid: %s", again.links["next"])
	}
}

func TestLogsAfterTakesPriorityOverSince(t *testing.T) {
	_, base := startLogsServer(t, nil)
	all := injectSpecs(t, base, 10, "user.account.update_profile", 0)

	page1 := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Hour), "limit": "4"}))
	if got := uuidsOf(page1.events); !equalStrings(got, all[:4]) {
		t.Fatalf("page 1: got %v, want %v", got, all[:4])
	}
	// okta-sdk-golang v2 re-adds the original since to the next request.
	next := page1.links["next"] + "&since=" + isoAgo(2*time.Hour)
	page2 := getLogs(t, next)
	if got := uuidsOf(page2.events); !equalStrings(got, all[4:8]) {
		t.Fatalf("page 2 with since and after: got %v, want %v", got, all[4:8])
	}
}

func TestLogsPollingFollowsPersistenceOrder(t *testing.T) {
	_, base := startLogsServer(t, nil)
	start := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(time.Minute)}))
	late := injectSpecs(t, base, 3, "user.session.start", 600)
	// Published times have millisecond precision: the on-time events must be
	// published in a later millisecond than the late ones, which were published
	// before the inject call returned.
	lateInjected := time.Now().UnixMilli()
	eventually(t, time.Second, "the clock to enter the next millisecond", func() bool {
		return time.Now().UnixMilli() > lateInjected
	})
	onTime := injectSpecs(t, base, 3, "user.session.end", 0)

	var got []map[string]any
	next := start.links["next"]
	eventually(t, 5*time.Second, "late events to be persisted", func() bool {
		page := getLogs(t, next)
		got = append(got, page.events...)
		next = page.links["next"]
		return len(got) >= 6
	})
	want := append(append([]string{}, onTime...), late...)
	if ids := uuidsOf(got); !equalStrings(ids, want) {
		t.Fatalf("persistence order: got %v, want on-time then late %v", ids, want)
	}
	if !(got[3]["published"].(string) < got[0]["published"].(string)) {
		t.Errorf("late event published %v should be earlier than on-time %v", got[3]["published"], got[0]["published"])
	}
	truth := groundTruthUUIDs(t, base)
	if !equalStrings(truth, want) {
		t.Errorf("ground truth %v, want %v", truth, want)
	}
}

func TestLogsBoundedOrderedByPublishedAndFinite(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) {
		o.Logs.HistoryEvents = 230
		o.Logs.HistorySpan = time.Hour
	})
	for _, order := range []string{"ASCENDING", "DESCENDING"} {
		next := logsURL(base, map[string]string{
			"since": isoAgo(2 * time.Hour), "until": isoAgo(-time.Minute), "limit": "50", "sortOrder": order,
		})
		var got []map[string]any
		pages := 0
		for next != "" {
			page := getLogs(t, next)
			if page.status != http.StatusOK {
				t.Fatalf("%s page %d: %d %s", order, pages, page.status, page.body)
			}
			got = append(got, page.events...)
			next = page.links["next"]
			if pages++; pages > 10 {
				t.Fatalf("%s: bounded query did not end", order)
			}
		}
		if len(got) != 230 || pages != 5 {
			t.Fatalf("%s: %d events in %d pages, want 230 in 5", order, len(got), pages)
		}
		seen := map[string]bool{}
		for i, e := range got {
			if seen[e["uuid"].(string)] {
				t.Fatalf("%s: duplicate %v", order, e["uuid"])
			}
			seen[e["uuid"].(string)] = true
			if i == 0 {
				continue
			}
			prev, cur := got[i-1]["published"].(string), e["published"].(string)
			if order == "ASCENDING" && cur < prev || order == "DESCENDING" && cur > prev {
				t.Fatalf("%s: event %d published %s out of order after %s", order, i, cur, prev)
			}
		}
	}
}

// A poller that follows next links sees every late event; one that queries
// sliding [since, until) windows by published time misses some.
func TestLogsLateEventsNextLinkPollerSeesAllWindowPollerMisses(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) {
		o.Logs.EventsPerSec = 3000
		o.Logs.LateShare = 0.2
		o.Logs.LateDelay = 300 * time.Millisecond
	})
	startTime := time.Now().Add(-time.Second)
	linkSeen := map[string]int{}
	next := logsURL(base, map[string]string{"since": oktaTime(startTime), "limit": "1000"})
	followLinks := func() int {
		n := 0
		for {
			page := getLogs(t, next)
			for _, id := range uuidsOf(page.events) {
				linkSeen[id]++
			}
			next = page.links["next"]
			n += len(page.events)
			if len(page.events) < 1000 {
				return n
			}
		}
	}
	windowSeen := map[string]bool{}
	windowStart := startTime
	slideWindow := func() {
		end := time.Now().Truncate(time.Millisecond)
		u := logsURL(base, map[string]string{"since": oktaTime(windowStart), "until": oktaTime(end), "limit": "1000"})
		for u != "" {
			page := getLogs(t, u)
			for _, id := range uuidsOf(page.events) {
				windowSeen[id] = true
			}
			u = page.links["next"]
		}
		windowStart = end
	}
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		followLinks()
		slideWindow()
		time.Sleep(50 * time.Millisecond) // the pollers' interval: part of what the test simulates
	}
	status, raw := postControl(t, http.MethodPut, base+"/_sim/events/rate", map[string]any{"eventsPerSec": 0})
	if status != http.StatusOK {
		t.Fatalf("PUT rate: %d %s", status, raw)
	}
	// The PUT answers once no batch at the old rate is on its way; the late
	// events still queued are persisted within LateDelay.
	eventually(t, 5*time.Second, "every late event to be persisted", func() bool {
		return logStoreStats(t, base).Pending == 0
	})
	followLinks()
	slideWindow()

	truth := groundTruthUUIDs(t, base)
	if len(truth) < 1000 {
		t.Fatalf("generator produced only %d events", len(truth))
	}
	missedByWindows := 0
	for _, id := range truth {
		if linkSeen[id] != 1 {
			t.Fatalf("next-link poller saw %s %d times, want exactly once", id, linkSeen[id])
		}
		if !windowSeen[id] {
			missedByWindows++
		}
	}
	if len(linkSeen) != len(truth) {
		t.Fatalf("next-link poller saw %d events, ground truth has %d", len(linkSeen), len(truth))
	}
	if missedByWindows == 0 {
		t.Fatalf("window poller saw all %d events; late events should have been missed", len(truth))
	}
	t.Logf("%d events; window poller missed %d (late share 0.2)", len(truth), missedByWindows)
}

// Later pages of a bounded query do not include events persisted after its
// first page, even when they fall inside the window.
func TestLogsBoundedQueryIgnoresEventsPersistedAfterItStarted(t *testing.T) {
	_, base := startLogsServer(t, nil)
	first := injectSpecs(t, base, 6, "user.session.end", 0)
	page1 := getLogs(t, logsURL(base, map[string]string{
		"since": isoAgo(time.Minute), "until": isoAgo(-time.Minute), "limit": "3",
	}))
	if got := uuidsOf(page1.events); !equalStrings(got, first[:3]) || page1.links["next"] == "" {
		t.Fatalf("page 1: %v next %q", got, page1.links["next"])
	}
	inject(t, base, map[string]any{"events": []any{map[string]any{
		"eventType": "user.session.start", "published": oktaTime(time.Now().Add(30 * time.Second)),
	}}})
	page2 := getLogs(t, page1.links["next"])
	if got := uuidsOf(page2.events); !equalStrings(got, first[3:]) {
		t.Fatalf("page 2: %v, want %v (the later event excluded)", got, first[3:])
	}
	if page2.links["next"] != "" {
		t.Fatalf("last bounded page has a next link: %s", page2.links["next"])
	}
}
