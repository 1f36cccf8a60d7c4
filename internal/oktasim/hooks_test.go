package oktasim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a loopback event hook endpoint that records what Okta
// (the simulator) sends.
type hookReceiver struct {
	srv *httptest.Server

	mu            sync.Mutex
	verifications []http.Header
	deliveries    []hookDelivery
	// answer decides the status of the n-th POST (0-based).
	answer     func(n int) int
	wrongEcho  bool
	postsCount int
}

type hookDelivery struct {
	header   http.Header
	envelope map[string]any
	uuids    []string
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{answer: func(int) int { return http.StatusNoContent }}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		defer h.mu.Unlock()
		if r.Method == http.MethodGet {
			h.verifications = append(h.verifications, r.Header.Clone())
			echo := r.Header.Get("x-okta-verification-challenge")
			if h.wrongEcho {
				echo = "not-the-challenge"
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"verification": echo})
			return
		}
		body, _ := io.ReadAll(r.Body)
		status := h.answer(h.postsCount)
		h.postsCount++
		if status >= 300 {
			w.WriteHeader(status)
			return
		}
		var env map[string]any
		if err := json.Unmarshal(body, &env); err != nil {
			t.Errorf("delivery body is not JSON: %v", err)
		}
		d := hookDelivery{header: r.Header.Clone(), envelope: env}
		if data, ok := env["data"].(map[string]any); ok {
			for _, e := range data["events"].([]any) {
				d.uuids = append(d.uuids, e.(map[string]any)["uuid"].(string))
			}
		}
		h.deliveries = append(h.deliveries, d)
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) snapshot() ([]hookDelivery, []http.Header, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookDelivery(nil), h.deliveries...), append([]http.Header(nil), h.verifications...), h.postsCount
}

func (h *hookReceiver) deliveredUUIDs() map[string]int {
	ds, _, _ := h.snapshot()
	out := map[string]int{}
	for _, d := range ds {
		for _, id := range d.uuids {
			out[id]++
		}
	}
	return out
}

func registerHook(t *testing.T, base string, body map[string]any) hookStatus {
	t.Helper()
	status, raw := postControl(t, http.MethodPost, base+"/_sim/hooks", body)
	if status != http.StatusOK {
		t.Fatalf("POST /_sim/hooks: %d %s", status, raw)
	}
	var hs hookStatus
	if err := json.Unmarshal(raw, &hs); err != nil {
		t.Fatalf("decode hook: %v", err)
	}
	return hs
}

// listHooks reads GET /_sim/hooks.
func listHooks(t *testing.T, base string) []hookStatus {
	t.Helper()
	resp, err := http.Get(base + "/_sim/hooks")
	if err != nil {
		t.Fatalf("GET /_sim/hooks: %v", err)
	}
	defer resp.Body.Close()
	var list struct{ Hooks []hookStatus }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("decode hooks: %v", err)
	}
	return list.Hooks
}

func hookStatusByID(t *testing.T, base, id string) hookStatus {
	t.Helper()
	for _, h := range listHooks(t, base) {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("hook %s not listed", id)
	return hookStatus{}
}

func TestHookVerificationThenDeliveriesWithAuthHeaderAndEnvelope(t *testing.T) {
	_, base := startLogsServer(t, nil)
	rcv := newHookReceiver(t)
	hs := registerHook(t, base, map[string]any{
		"url":        rcv.srv.URL + "/okta/events",
		"authHeader": map[string]string{"key": "Authorization", "value": "hook-secret-1"},
	})
	if hs.VerificationStatus != "VERIFIED" || !strings.HasPrefix(hs.ID, "who") || len(hs.ID) != 20 {
		t.Fatalf("hook after registration: %+v", hs)
	}
	if raw, _ := json.Marshal(hs); strings.Contains(string(raw), "hook-secret-1") {
		t.Fatalf("hook status shows the secret: %s", raw)
	}
	_, verifications, _ := rcv.snapshot()
	if len(verifications) != 1 || verifications[0].Get("x-okta-verification-challenge") == "" ||
		verifications[0].Get("Authorization") != "hook-secret-1" {
		t.Fatalf("verification GETs: %v", verifications)
	}

	want := injectSpecs(t, base, 7, "user.lifecycle.deactivate", 0)
	eventually(t, 3*time.Second, "7 events delivered", func() bool { return len(rcv.deliveredUUIDs()) == 7 })
	got := rcv.deliveredUUIDs()
	for _, id := range want {
		if got[id] != 1 {
			t.Errorf("event %s delivered %d times", id, got[id])
		}
	}
	deliveries, _, _ := rcv.snapshot()
	d := deliveries[0]
	for k, v := range map[string]string{"Authorization": "hook-secret-1", "Content-Type": "application/json", "Accept": "application/json"} {
		if d.header.Get(k) != v {
			t.Errorf("delivery header %s = %q, want %q", k, d.header.Get(k), v)
		}
	}
	env := d.envelope
	for k, v := range map[string]string{"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1", "contentType": "application/json"} {
		if env[k] != v {
			t.Errorf("envelope %s = %v, want %q", k, env[k], v)
		}
	}
	if env["source"] != base+"/api/v1/eventHooks/"+hs.ID {
		t.Errorf("envelope source %v", env["source"])
	}
	if id, _ := env["eventId"].(string); len(id) != 36 {
		t.Errorf("envelope eventId %v", env["eventId"])
	}
	if _, err := time.Parse(oktaTimeLayout, env["eventTime"].(string)); err != nil {
		t.Errorf("envelope eventTime: %v", err)
	}
	// The receiver records a delivery before the simulator reads the answer.
	eventually(t, 3*time.Second, "hook stats to count 7 delivered events", func() bool {
		st := hookStatusByID(t, base, hs.ID)
		return st.Deliveries.Succeeded > 0 && st.EventsDelivered == 7
	})
}

func TestHookWrongVerificationAnswerStaysUnverified(t *testing.T) {
	srv, base := startLogsServer(t, nil)
	rcv := newHookReceiver(t)
	rcv.wrongEcho = true
	hs := registerHook(t, base, map[string]any{"url": rcv.srv.URL})
	if hs.VerificationStatus != "UNVERIFIED" || hs.LastError == "" {
		t.Fatalf("hook answering the wrong challenge: %+v", hs)
	}
	// A verified hook on the same org shows when deliveries of the events happen.
	verified := newHookReceiver(t)
	registerHook(t, base, map[string]any{"url": verified.srv.URL})
	injectSpecs(t, base, 3, "user.lifecycle.activate", 0)
	// Events are handed to the hooks while they are persisted, before the inject
	// call answers: the unverified hook must have none queued, sent or delivered.
	if st := hookStatusByID(t, base, hs.ID); st.EventsPending != 0 || st.Deliveries.Attempted != 0 || st.EventsDelivered != 0 {
		t.Fatalf("unverified hook was handed events: %+v", st)
	}
	eventually(t, 3*time.Second, "the verified hook to receive the 3 events", func() bool {
		return len(verified.deliveredUUIDs()) == 3
	})
	// A delivery starts at most one batch window after its events were persisted,
	// as the verified hook's did: observe three more windows.
	time.Sleep(3 * srv.opts.Logs.Hooks.BatchWindow)
	if _, _, posts := rcv.snapshot(); posts != 0 {
		t.Fatalf("unverified hook received %d deliveries", posts)
	}
}

func TestHookRetriesOn5xxButNot4xx(t *testing.T) {
	const retryDelay = 20 * time.Millisecond
	_, base := startLogsServer(t, func(o *Options) { o.Logs.Hooks.RetryDelay = retryDelay })
	flaky := newHookReceiver(t)
	flaky.answer = func(n int) int {
		if n == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	}
	rejecting := newHookReceiver(t)
	rejecting.answer = func(int) int { return http.StatusBadRequest }
	hFlaky := registerHook(t, base, map[string]any{"url": flaky.srv.URL})
	hRejecting := registerHook(t, base, map[string]any{"url": rejecting.srv.URL})

	want := injectSpecs(t, base, 2, "group.user_membership.add", 0)
	eventually(t, 3*time.Second, "retried delivery", func() bool { return len(flaky.deliveredUUIDs()) == 2 })
	eventually(t, 3*time.Second, "rejected delivery counted", func() bool {
		return hookStatusByID(t, base, hRejecting.ID).Deliveries.Failed == 1
	})
	if got := flaky.deliveredUUIDs(); got[want[0]] != 1 || got[want[1]] != 1 {
		t.Errorf("after retry: %v", got)
	}
	eventually(t, 3*time.Second, "flaky hook stats: 2 attempts, 1 retry, 1 success", func() bool {
		st := hookStatusByID(t, base, hFlaky.ID).Deliveries
		return st.Retried == 1 && st.Attempted == 2 && st.Succeeded == 1
	})
	// A retry is sent one retry delay after the answer it retries, as the flaky
	// hook's was: observe the rejecting hook for five retry delays after it gave up.
	time.Sleep(5 * retryDelay)
	if st := hookStatusByID(t, base, hRejecting.ID); st.Deliveries.Attempted != 1 || st.Deliveries.Retried != 0 {
		t.Errorf("4xx was retried: %+v", st.Deliveries)
	}
	if _, _, posts := rejecting.snapshot(); posts != 1 {
		t.Errorf("the rejecting endpoint received %d POSTs, want 1", posts)
	}
}

func TestHookDuplicateDeliveriesShareUUIDs(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) { o.Logs.Hooks.DuplicateShare = 1 })
	rcv := newHookReceiver(t)
	registerHook(t, base, map[string]any{"url": rcv.srv.URL, "events": []string{"user.account.lock"}})
	want := injectSpecs(t, base, 3, "user.account.lock", 0)
	injectSpecs(t, base, 2, "user.session.start", 0) // not subscribed
	eventually(t, 3*time.Second, "duplicate deliveries", func() bool {
		got := rcv.deliveredUUIDs()
		return len(got) == 3 && got[want[0]] == 2 && got[want[1]] == 2 && got[want[2]] == 2
	})
	deliveries, _, _ := rcv.snapshot()
	ids := map[string]bool{}
	for _, d := range deliveries {
		ids[d.envelope["eventId"].(string)] = true
	}
	if len(ids) != len(deliveries) {
		t.Errorf("duplicate deliveries reuse eventIds: %d ids for %d deliveries", len(ids), len(deliveries))
	}
	if got := rcv.deliveredUUIDs(); len(got) != 3 {
		t.Errorf("events outside the hook's types delivered: %v", got)
	}
}

func TestHookControlValidationAndDelete(t *testing.T) {
	srv, base := startLogsServer(t, nil)
	for _, body := range []map[string]any{
		{"url": "ftp://127.0.0.1/x"},
		{"url": "http://127.0.0.1/x", "authHeader": map[string]string{"value": "v"}},
		{"url": "http://127.0.0.1/x", "bogus": true},
	} {
		status, raw := postControl(t, http.MethodPost, base+"/_sim/hooks", body)
		if status != http.StatusBadRequest || !strings.Contains(string(raw), `"error"`) {
			t.Errorf("%v: %d %s", body, status, raw)
		}
	}
	rcv := newHookReceiver(t)
	hs := registerHook(t, base, map[string]any{"url": rcv.srv.URL})
	// A hook that stays shows when deliveries of the events happen.
	kept := newHookReceiver(t)
	keptHook := registerHook(t, base, map[string]any{"url": kept.srv.URL})
	if status, _ := postControl(t, http.MethodDelete, base+"/_sim/hooks/"+hs.ID, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE hook: %d", status)
	}
	if status, _ := postControl(t, http.MethodDelete, base+"/_sim/hooks/"+hs.ID, nil); status != http.StatusNotFound {
		t.Fatalf("DELETE unknown hook: %d", status)
	}
	if hooks := listHooks(t, base); len(hooks) != 1 || hooks[0].ID != keptHook.ID {
		t.Fatalf("hooks after DELETE: %+v, want only %s", hooks, keptHook.ID)
	}
	injectSpecs(t, base, 2, "user.lifecycle.activate", 0)
	eventually(t, 3*time.Second, "the remaining hook to receive the 2 events", func() bool {
		return len(kept.deliveredUUIDs()) == 2
	})
	// A delivery starts at most one batch window after its events were persisted,
	// as the remaining hook's did: observe three more windows.
	time.Sleep(3 * srv.opts.Logs.Hooks.BatchWindow)
	if _, _, posts := rcv.snapshot(); posts != 0 {
		t.Fatalf("deleted hook received %d deliveries", posts)
	}
}
