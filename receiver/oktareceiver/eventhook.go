package oktareceiver

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"
)

// verificationChallengeHeader is the header of Okta's one-time verification GET (REFERENCE §6).
const verificationChallengeHeader = "X-Okta-Verification-Challenge"

// eventHookServer receives Okta event hook deliveries and feeds their events through the same
// converter and dedupe as the poller (shared state in systemLogShared). Okta times out after
// 3 s and retries 5xx once; the poller remains the safety net for anything lost here.
type eventHookServer struct {
	params systemLogParams
	shared *systemLogShared
	cfg    *EventHooksConfig

	server   *http.Server
	listener net.Listener
	wg       sync.WaitGroup
}

// newEventHookServer builds the endpoint; nothing listens before start.
func newEventHookServer(params systemLogParams) *eventHookServer {
	if params.shared == nil {
		params.shared = newSystemLogShared(&params.cfg.SystemLog)
	}
	return &eventHookServer{params: params, shared: params.shared, cfg: &params.cfg.EventHooks}
}

// start loads the shared checkpoint (for the dedupe window) and starts listening on
// event_hooks.server.endpoint. A listen error is returned; a later Serve failure is reported
// as a fatal component status.
func (h *eventHookServer) start(ctx context.Context, host component.Host) error {
	if err := h.shared.load(ctx, h.params); err != nil {
		return err
	}
	ln, err := h.cfg.Server.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("event_hooks: listen on %s: %w", h.cfg.Server.NetAddr.Endpoint, err)
	}
	srv, err := h.cfg.Server.ToServer(ctx, host.GetExtensions(), h.params.settings.TelemetrySettings, h)
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
	h.params.settings.Logger.Info("Okta event hook endpoint listening",
		zap.String("endpoint", ln.Addr().String()), zap.String("path", h.cfg.Path))
	return nil
}

// addr is the listening address (for tests), "" before start.
func (h *eventHookServer) addr() string {
	if h == nil || h.listener == nil {
		return ""
	}
	return h.listener.Addr().String()
}

// stats returns the shared System Log counters (the same as the poller's). Nil-safe, for a
// receiver that runs the hook endpoint without the poller.
func (h *eventHookServer) stats() systemLogStats {
	if h == nil {
		return systemLogStats{EventsByOutcome: map[string]int64{}, Errors: map[string]int64{}}
	}
	return h.shared.stats()
}

// shutdown stops accepting requests and waits for those in flight. Safe without start and twice.
func (h *eventHookServer) shutdown(ctx context.Context) error {
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
func (h *eventHookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
		h.shared.countError(errKindHookUnauthorized)
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
func (h *eventHookServer) authorized(r *http.Request) bool {
	got := r.Header.Get(h.cfg.HeaderName)
	want := string(h.cfg.Secret)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// verify answers Okta's one-time verification GET by echoing the challenge.
func (h *eventHookServer) verify(w http.ResponseWriter, r *http.Request) {
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

// deliver reads a delivery, hands its new events to the consumer and answers 200; 503 when the
// consumer refused them (Okta retries 5xx), 4xx for requests that retrying cannot fix.
func (h *eventHookServer) deliver(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.shared.countError(errKindHookTooLarge)
			hookError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than event_hooks.max_body_size (%d bytes)", h.cfg.MaxBodySize))
			return
		}
		h.shared.countError(errKindHookBadRequest)
		hookError(w, http.StatusBadRequest, "reading the body failed")
		return
	}
	events, err := parseEventHookBody(body, time.Now())
	if err != nil {
		h.shared.countError(errKindHookBadRequest)
		hookError(w, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := h.shared.deliver(r.Context(), h.params, triggerEventHook, events, ""); err != nil {
		h.shared.countError(errKindConsumer)
		hookError(w, http.StatusServiceUnavailable, "the pipeline did not accept the events; retry later")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// parseEventHookBody decodes an event hook delivery and returns data.events converted to log
// records (observed is their ObservedTimestamp), exactly as decodeSystemLogPage converts a page.
// The body must be a JSON object whose data.events is an array of objects (it may be empty).
func parseEventHookBody(body []byte, observed time.Time) (*systemLogBatch, error) {
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
	events, err := decodeSystemLogPage(raw, observed)
	if err != nil {
		return nil, fmt.Errorf("malformed delivery: data.events must be an array of LogEvent objects: %w", err)
	}
	return events, nil
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
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
