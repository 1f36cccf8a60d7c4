package oktasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// maxControlBody bounds control-API request bodies.
const maxControlBody = 64 << 20

// registerLogControlRoutes registers /_sim/events and /_sim/hooks.
func (s *Server) registerLogControlRoutes(mux *http.ServeMux) {
	l := s.logs
	mux.HandleFunc("POST /_sim/events", l.handleInject)
	mux.HandleFunc("GET /_sim/events/uuids", l.handleUUIDs)
	mux.HandleFunc("GET /_sim/events/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, l.stats())
	})
	mux.HandleFunc("PUT /_sim/events/rate", l.handleRate)
	mux.HandleFunc("POST /_sim/hooks", l.handleHookRegister)
	mux.HandleFunc("GET /_sim/hooks", l.handleHookList)
	mux.HandleFunc("DELETE /_sim/hooks/{id}", l.handleHookDelete)
}

func writeControlError(w http.ResponseWriter, format string, args ...any) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// specJSON is an EventSpec in the control API.
type specJSON struct {
	EventType      string       `json:"eventType"`
	Actor          *targetJSON  `json:"actor"`
	Targets        []targetJSON `json:"targets"`
	Outcome        string       `json:"outcome"`
	Reason         string       `json:"reason"`
	Severity       string       `json:"severity"`
	DisplayMessage string       `json:"displayMessage"`
}

type targetJSON struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	AlternateID   string `json:"alternateId"`
	DisplayName   string `json:"displayName"`
	ChangeDetails *struct {
		From map[string]any `json:"from"`
		To   map[string]any `json:"to"`
	} `json:"changeDetails"`
}

func (t targetJSON) target() EventTarget {
	out := EventTarget{ID: t.ID, Type: t.Type, AlternateID: t.AlternateID, DisplayName: t.DisplayName}
	if t.ChangeDetails != nil {
		out.ChangeFrom, out.ChangeTo = t.ChangeDetails.From, t.ChangeDetails.To
	}
	return out
}

// injectRequest is the body of POST /_sim/events.
type injectRequest struct {
	Events []map[string]any `json:"events"` // full LogEvent objects
	Specs  []specJSON       `json:"specs"`  // EventSpecs; the store fills every other field
	Count  int              `json:"count"`  // this many generated events
	LateMs int64            `json:"lateMs"` // persist this long after published
}

// handleInject serves POST /_sim/events and answers {"uuids":[…]} in the
// order events, specs, generated.
func (l *logStore) handleInject(w http.ResponseWriter, r *http.Request) {
	var req injectRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeControlError(w, "body: %v (want {\"events\":[LogEvent…], \"specs\":[{\"eventType\":…}], \"count\":N, \"lateMs\":N})", err)
		return
	}
	if req.LateMs < 0 {
		writeControlError(w, "lateMs: must be >= 0, got %d", req.LateMs)
		return
	}
	if req.Count < 0 || req.Count > 1_000_000 {
		writeControlError(w, "count: must be within 0..1000000, got %d", req.Count)
		return
	}
	now := l.now().Truncate(time.Millisecond)
	var events []*storedEvent
	for i, raw := range req.Events {
		ev, err := storedFromJSON(raw, now)
		if err != nil {
			writeControlError(w, "events[%d]: %v", i, err)
			return
		}
		events = append(events, ev)
	}
	specs := make([]EventSpec, 0, len(req.Specs))
	for i, s := range req.Specs {
		if s.EventType == "" {
			writeControlError(w, "specs[%d].eventType: required", i)
			return
		}
		spec := EventSpec{EventType: s.EventType, Outcome: s.Outcome, Reason: s.Reason, Severity: s.Severity, DisplayMessage: s.DisplayMessage}
		if s.Actor != nil {
			a := s.Actor.target()
			spec.Actor = &a
		}
		for _, t := range s.Targets {
			spec.Targets = append(spec.Targets, t.target())
		}
		specs = append(specs, spec)
	}
	late := time.Duration(req.LateMs) * time.Millisecond
	l.gen.mu.Lock()
	for _, spec := range specs {
		e := l.gen.fromSpec(spec, now)
		events = append(events, encodeStored(&e))
	}
	l.gen.mu.Unlock()
	if req.Count > 0 {
		generated, _ := l.generateBatch(req.Count, now, 0)
		events = append(events, generated...)
	}
	l.persistOrDelay(events, late)
	uuids := make([]string, len(events))
	for i, ev := range events {
		uuids[i] = ev.uuid
	}
	writeJSON(w, http.StatusOK, map[string]any{"uuids": uuids})
}

// storedFromJSON turns an injected LogEvent object into a stored event,
// filling uuid, published and version when absent.
func storedFromJSON(obj map[string]any, now time.Time) (*storedEvent, error) {
	eventType, _ := obj["eventType"].(string)
	if eventType == "" {
		return nil, fmt.Errorf("eventType: required string")
	}
	uuid, ok := obj["uuid"].(string)
	if !ok || uuid == "" {
		uuid = randomUUID()
		obj["uuid"] = uuid
	}
	published := now
	if p, present := obj["published"]; present {
		s, isString := p.(string)
		t, err := parseLogTime(s)
		if !isString || err != nil {
			return nil, fmt.Errorf("published: want an ISO 8601 date-time string, got %v", p)
		}
		published = t
	}
	obj["published"] = oktaTime(published)
	if _, present := obj["version"]; !present {
		obj["version"] = "0"
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return &storedEvent{published: published.UnixMilli(), uuid: uuid, eventType: eventType, head: raw}, nil
}

// handleUUIDs serves GET /_sim/events/uuids: every uuid persisted so far,
// in persistence order (the ground truth of exactly-once tests), evicted
// ones included. Optional offset and limit page through long runs; count is
// always the total.
func (l *logStore) handleUUIDs(w http.ResponseWriter, r *http.Request) {
	offset, err := optionalInt(r, "offset")
	if err != nil {
		writeControlError(w, "%v", err)
		return
	}
	limit, err := optionalInt(r, "limit")
	if err != nil {
		writeControlError(w, "%v", err)
		return
	}
	l.mu.RLock()
	total := l.uuids.len()
	from := min(offset, total)
	to := total
	if limit > 0 {
		to = min(from+limit, total)
	}
	uuids := l.uuids.slice(from, to)
	evicted := l.evicted
	l.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"count": total, "offset": from, "uuids": uuids, "evicted": evicted})
}

func optionalInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: want an integer >= 0, got %q", name, s)
	}
	return n, nil
}

// handleRate serves PUT /_sim/events/rate {"eventsPerSec": N}.
func (l *logStore) handleRate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EventsPerSec *float64 `json:"eventsPerSec"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
		writeControlError(w, "body: %v (want {\"eventsPerSec\": N})", err)
		return
	}
	if req.EventsPerSec == nil || *req.EventsPerSec < 0 {
		writeControlError(w, "eventsPerSec: required number >= 0")
		return
	}
	l.setRate(*req.EventsPerSec)
	writeJSON(w, http.StatusOK, map[string]float64{"eventsPerSec": *req.EventsPerSec})
}
