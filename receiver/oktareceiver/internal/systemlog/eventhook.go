package systemlog

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"
)

// verificationChallengeHeader is the header of Okta's one-time verification GET.
const verificationChallengeHeader = "X-Okta-Verification-Challenge"

// HookServer receives Okta event hook deliveries and feeds their events through the same
// converter and dedupe as the poller (shared state in Shared). Okta times out after
// 3 s and retries 5xx once; the poller remains the safety net for anything lost here.
type HookServer struct {
	params Params
	shared *Shared
	cfg    *HooksConfig

	// slots bounds the deliveries being decoded and delivered at once (hookConcurrentDeliveries).
	slots chan struct{}

	server   *http.Server
	listener net.Listener
	wg       sync.WaitGroup
}

// NewHookServer builds the endpoint; nothing listens before start.
func NewHookServer(params Params) *HookServer {
	if params.Shared == nil {
		params.Shared = NewShared(params.Config)
	}
	return &HookServer{
		params: params, shared: params.Shared, cfg: params.Hooks,
		slots: make(chan struct{}, hookConcurrentDeliveries),
	}
}

// Start loads the shared checkpoint (for the dedupe window) and starts listening on
// event_hooks.server.endpoint. A listen error is returned; a later Serve failure is reported
// as a fatal component status.
func (h *HookServer) Start(ctx context.Context, host component.Host) error {
	if err := h.shared.load(ctx, h.params); err != nil {
		return err
	}
	ln, err := h.cfg.Server.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("event_hooks: listen on %s: %w", h.cfg.Server.NetAddr.Endpoint, err)
	}
	srv, err := h.cfg.Server.ToServer(ctx, host.GetExtensions(), h.params.Telemetry.TelemetrySettings, h)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("event_hooks: build server: %w", err)
	}
	h.listener, h.server = ln, srv
	h.wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(fmt.Errorf("event_hooks server: %w", err)))
		}
	})
	h.params.Telemetry.Logger.Info("Okta event hook endpoint listening",
		zap.String("endpoint", ln.Addr().String()), zap.String("path", h.cfg.Path))
	return nil
}

// Addr is the listening address (for tests), "" before start.
func (h *HookServer) Addr() string {
	if h == nil || h.listener == nil {
		return ""
	}
	return h.listener.Addr().String()
}

// Stats returns the shared System Log counters (the same as the poller's). Nil-safe, for a
// receiver that runs the hook endpoint without the poller.
func (h *HookServer) Stats() Stats {
	if h == nil {
		return Stats{EventsByOutcome: map[string]int64{}, Errors: map[string]int64{}, Skipped: map[string]int64{}}
	}
	return h.shared.Stats()
}

// Shutdown stops accepting requests and waits for those in flight. Safe without start and twice.
func (h *HookServer) Shutdown(ctx context.Context) error {
	if h == nil || h.server == nil {
		return nil
	}
	err := h.server.Shutdown(ctx)
	h.wg.Wait()
	if err != nil {
		return fmt.Errorf("event_hooks: shutdown: %w", err)
	}
	return nil
}

// ServeHTTP handles the verification GET and the delivery POST on event_hooks.path. Both must
// carry the shared secret (Okta sends it on both).
func (h *HookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != h.cfg.Path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		hookError(w, http.StatusMethodNotAllowed, "only GET (verification) and POST (delivery) are accepted")
		return
	}
	if !h.authorized(r) {
		h.shared.countError(ErrKindHookUnauthorized)
		hookError(w, http.StatusUnauthorized, "missing or wrong "+h.cfg.HeaderName+" header")
		return
	}
	if r.Method == http.MethodGet {
		h.verify(w, r)
		return
	}
	h.deliver(w, r)
}

// authorized compares the configured header with the secret in constant time.
func (h *HookServer) authorized(r *http.Request) bool {
	got := r.Header.Get(h.cfg.HeaderName)
	want := string(h.cfg.Secret)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// verify answers Okta's one-time verification GET by echoing the challenge.
func (h *HookServer) verify(w http.ResponseWriter, r *http.Request) {
	challenge := r.Header.Get(verificationChallengeHeader)
	if challenge == "" {
		hookError(w, http.StatusBadRequest, "GET is only used for verification: missing the "+verificationChallengeHeader+" header")
		return
	}
	body, _ := json.Marshal(map[string]string{"verification": challenge})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// deliver reads a delivery, checks that it is what Okta sends, hands its new events to the
// consumer and answers 200. Refused before any record is built: a declared or actual body
// above max_body_size (413), a body that does not arrive within the server's read_timeout
// (408), more events than max_events_per_delivery (413), and events that are not LogEvent
// objects with a string uuid (400). A pipeline that refuses the events answers 503 (Okta
// retries once); a permanent refusal isolates the events it refuses, skips them (counted and
// logged) and answers 200, since retrying cannot help.
func (h *HookServer) deliver(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.cfg.MaxBodySize {
		// Refused from the headers alone: the body is never read, the connection is closed.
		w.Header().Set("Connection", "close")
		h.shared.countError(ErrKindHookTooLarge)
		hookError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("declared body of %d bytes is larger than event_hooks.max_body_size (%d bytes)", r.ContentLength, h.cfg.MaxBodySize))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodySize))
	if err != nil {
		h.answerReadError(w, err)
		return
	}
	// The records are built only under a delivery slot: waiting deliveries hold their body only.
	if err := h.acquire(r.Context()); err != nil {
		hookError(w, http.StatusServiceUnavailable, "shutting down or the request was cancelled; retry later")
		return
	}
	defer h.release()
	events, err := parseEventHookDelivery(body, time.Now(), h.cfg.MaxEventsPerDelivery)
	if err != nil {
		var tooMany *tooManyEventsError
		if errors.As(err, &tooMany) {
			h.shared.countError(ErrKindHookTooLarge)
			hookError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		}
		h.shared.countError(ErrKindHookBadRequest)
		hookError(w, http.StatusBadRequest, err.Error())
		return
	}
	_, err = h.shared.deliver(r.Context(), h.params, TriggerEventHook, events, "")
	if err != nil && consumererror.IsPermanent(err) {
		h.shared.countError(ErrKindConsumerPermanent)
		// The refused batch belongs to the pipeline now: decode the body again to isolate.
		events, perr := parseEventHookDelivery(body, time.Now(), h.cfg.MaxEventsPerDelivery)
		if perr == nil {
			_, err = h.shared.deliverIsolated(r.Context(), h.params, TriggerEventHook, events, "", SkipReasonPermanent, err)
		}
	}
	if err != nil {
		h.shared.countError(ErrKindConsumer)
		hookError(w, http.StatusServiceUnavailable, "the pipeline did not accept the events; retry later")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// answerReadError answers a body that could not be read: too large (413), not arrived within
// event_hooks.server.read_timeout (408), or cut off (400). The connection is closed.
func (h *HookServer) answerReadError(w http.ResponseWriter, err error) {
	w.Header().Set("Connection", "close")
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		h.shared.countError(ErrKindHookTooLarge)
		hookError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than event_hooks.max_body_size (%d bytes)", h.cfg.MaxBodySize))
	case errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		h.shared.countError(ErrKindHookBadRequest)
		hookError(w, http.StatusRequestTimeout, fmt.Sprintf("the body did not arrive within event_hooks.server.read_timeout (%s)", h.cfg.Server.ReadTimeout))
	default:
		h.shared.countError(ErrKindHookBadRequest)
		hookError(w, http.StatusBadRequest, "reading the body failed: it is shorter than its Content-Length or the connection broke")
	}
}

// hookConcurrentDeliveries bounds the deliveries decoded and delivered at once: each holds its
// records (several times its body) until the pipeline accepted them, and deliveries are
// serialized by the shared dedupe window anyway; the others wait holding only their body.
const hookConcurrentDeliveries = 2

// acquire waits for a delivery slot or the end of the request.
func (h *HookServer) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *HookServer) release() { <-h.slots }

// tooManyEventsError is a delivery with more events than event_hooks.max_events_per_delivery.
type tooManyEventsError struct{ max int }

func (e *tooManyEventsError) Error() string {
	return fmt.Sprintf("malformed delivery: more than event_hooks.max_events_per_delivery (%d) events", e.max)
}

// maxHookUUIDLength bounds an event uuid (Okta's are 36 characters): the dedupe window and
// the checkpoint keep every uuid.
const maxHookUUIDLength = 128

// parseEventHookBody is parseEventHookDelivery with the largest event cap the configuration
// accepts.
func parseEventHookBody(body []byte, observed time.Time) (*Batch, error) {
	return parseEventHookDelivery(body, observed, maxEventsPerDeliveryLimit)
}

// parseEventHookDelivery decodes an event hook delivery and returns data.events converted to
// log records (observed is their ObservedTimestamp), exactly as DecodePage converts a
// page. The body must be a JSON object whose data.events is an array (it may be empty) of at
// most maxEvents LogEvent objects, each with a non-empty string uuid and eventType; this is
// checked on a streaming pass that builds nothing, before any record is built, so a body of
// a million `{}` costs no more than reading it.
func parseEventHookDelivery(body []byte, observed time.Time, maxEvents int) (*Batch, error) {
	var envelope struct {
		Data *struct {
			Events json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &envelope); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("malformed delivery: %s must be a JSON object", fieldOrBody(typeErr.Field))
		}
		return nil, fmt.Errorf("malformed delivery: invalid JSON: %w", err)
	}
	if envelope.Data == nil {
		return nil, errors.New("malformed delivery: missing data.events")
	}
	raw := envelope.Data.Events
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("malformed delivery: missing data.events")
	}
	if err := checkHookEvents(raw, maxEvents); err != nil {
		return nil, err
	}
	events, err := DecodePage(raw, observed)
	if err != nil {
		return nil, fmt.Errorf("malformed delivery: data.events must be an array of LogEvent objects: %w", err)
	}
	return events, nil
}

// hookEventHead is what checkHookEvents reads of each event; other fields are skipped.
type hookEventHead struct {
	UUID      any `json:"uuid"`
	EventType any `json:"eventType"`
}

// checkHookEvents streams through the data.events array: at most maxEvents elements, each a
// JSON object with a non-empty string uuid (at most maxHookUUIDLength bytes) and eventType.
// An event without a usable uuid could never be de-duplicated, so every retry of the delivery
// would emit it again.
func checkHookEvents(raw json.RawMessage, maxEvents int) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return errors.New("malformed delivery: data.events must be an array of LogEvent objects")
	}
	for i := 0; dec.More(); i++ {
		if i >= maxEvents {
			return &tooManyEventsError{max: maxEvents}
		}
		var head hookEventHead
		if err := dec.Decode(&head); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return fmt.Errorf("malformed delivery: data.events[%d] is not a LogEvent object", i)
			}
			return fmt.Errorf("malformed delivery: data.events[%d]: invalid JSON: %w", i, err)
		}
		uuid, ok := head.UUID.(string)
		switch {
		case head.UUID == nil && head.EventType == nil:
			return fmt.Errorf("malformed delivery: data.events[%d] is not a LogEvent object (no uuid, no eventType)", i)
		case !ok || uuid == "":
			return fmt.Errorf("malformed delivery: data.events[%d].uuid must be a non-empty string (%s)", i, describeJSONValue(head.UUID))
		case len(uuid) > maxHookUUIDLength:
			return fmt.Errorf("malformed delivery: data.events[%d].uuid is longer than %d characters", i, maxHookUUIDLength)
		}
		if et, ok := head.EventType.(string); !ok || et == "" {
			return fmt.Errorf("malformed delivery: data.events[%d].eventType must be a non-empty string (%s)", i, describeJSONValue(head.EventType))
		}
	}
	return nil
}

// describeJSONValue names the JSON type of a decoded value, for error messages (never the value).
func describeJSONValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "missing or null"
	case string:
		if x == "" {
			return "empty string"
		}
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func fieldOrBody(field string) string {
	if field == "" {
		return "the body"
	}
	return field
}

// hookError writes a short plain-text error (never echoing the request's headers).
func hookError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// G705 audited: a plain-text answer (nosniff) with a fixed message or a JSON decoder error.
	_, _ = io.WriteString(w, msg+"\n") //nolint:gosec
}
