package oktasim

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// hookStatus is one hook in GET /_sim/hooks. The auth header value is never
// shown.
type hookStatus struct {
	ID                 string          `json:"id"`
	URL                string          `json:"url"`
	AuthHeaderKey      string          `json:"authHeaderKey,omitempty"`
	Events             []string        `json:"events,omitempty"`
	Status             string          `json:"status"`
	VerificationStatus string          `json:"verificationStatus"`
	LastError          string          `json:"lastError,omitempty"`
	Created            string          `json:"created"`
	Deliveries         hookDeliveryNum `json:"deliveries"`
	EventsDelivered    uint64          `json:"eventsDelivered"`
	EventsDropped      uint64          `json:"eventsDropped"`
	EventsPending      int             `json:"eventsPending"`
}

// hookDeliveryNum counts POSTs: attempted = every POST sent (retries and
// duplicates included), succeeded = POSTs answered 2xx, failed = deliveries
// given up (4xx, or 5xx/timeout after the retries), retried = retry POSTs,
// duplicated = deliveries sent a second time by the duplicate fault.
type hookDeliveryNum struct {
	Attempted  uint64 `json:"attempted"`
	Succeeded  uint64 `json:"succeeded"`
	Failed     uint64 `json:"failed"`
	Retried    uint64 `json:"retried"`
	Duplicated uint64 `json:"duplicated"`
}

func (h *eventHook) status() hookStatus {
	s := hookStatus{
		ID: h.id, URL: h.url, AuthHeaderKey: h.authKey, Status: "ACTIVE",
		VerificationStatus: "UNVERIFIED", Created: oktaTime(h.created),
		Deliveries: hookDeliveryNum{
			Attempted: h.attempted.Load(), Succeeded: h.succeeded.Load(), Failed: h.failed.Load(),
			Retried: h.retried.Load(), Duplicated: h.duplicated.Load(),
		},
		EventsDelivered: h.eventsDelivered.Load(), EventsDropped: h.eventsDropped.Load(),
	}
	if h.verified.Load() {
		s.VerificationStatus = "VERIFIED"
	}
	s.LastError, _ = h.lastError.Load().(string)
	for t := range h.types {
		s.Events = append(s.Events, t)
	}
	s.EventsPending, _ = h.pendingState()
	return s
}

// handleHookRegister serves POST /_sim/hooks: it verifies the endpoint
// (synchronously, up to the hook timeout) and answers the hook's status.
func (l *logStore) handleHookRegister(w http.ResponseWriter, r *http.Request) {
	var reg hookRegistration
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		writeControlError(w, "body: %v (want {\"url\":…, \"authHeader\":{\"key\":…,\"value\":…}, \"events\":[…]})", err)
		return
	}
	u, err := url.Parse(reg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeControlError(w, "url: want an absolute http(s) URL, got %q", reg.URL)
		return
	}
	if reg.AuthHeader != nil && reg.AuthHeader.Key == "" {
		writeControlError(w, "authHeader.key: required when authHeader is given")
		return
	}
	for i, t := range reg.Events {
		if t == "" {
			writeControlError(w, "events[%d]: empty event type", i)
			return
		}
	}
	h := l.hooks.register(reg, baseURL(r))
	writeJSON(w, http.StatusOK, h.status())
}

// handleHookList serves GET /_sim/hooks.
func (l *logStore) handleHookList(w http.ResponseWriter, _ *http.Request) {
	hooks := l.hooks.list()
	out := make([]hookStatus, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, h.status())
	}
	writeJSON(w, http.StatusOK, map[string]any{"hooks": out, "now": oktaTime(l.hooks.now())})
}

// handleHookDelete serves DELETE /_sim/hooks/{id}.
func (l *logStore) handleHookDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !l.hooks.remove(id) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "id: no hook " + id})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
