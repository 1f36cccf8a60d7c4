package systemlog

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
)

// hookEvent is a minimal LogEvent with the given uuid.
func hookEvent(uuid string) string {
	return `{"uuid":"` + uuid + `","eventType":"user.session.start","published":"2026-02-03T10:15:42.123Z","outcome":{"result":"SUCCESS"}}`
}

func hookBody(events ...string) []byte {
	return []byte(`{"eventType":"com.okta.event_hook","data":{"events":[` + strings.Join(events, ",") + `]}}`)
}

// TestEventHookRefusesEventsWithoutAUsableUUID: every shape of event Okta never sends is
// refused with 400 naming the problem, and nothing reaches the pipeline.
func TestEventHookRefusesEventsWithoutAUsableUUID(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, nil)
	for body, want := range map[string]string{
		`{}`:                                 "data.events[0] is not a LogEvent object",
		`{"eventType":"user.session.start"}`: "data.events[0].uuid must be a non-empty string (missing or null)",
		`{"uuid":"","eventType":"x"}`:        "data.events[0].uuid must be a non-empty string (empty string)",
		`{"uuid":null,"eventType":"x"}`:      "data.events[0].uuid must be a non-empty string (missing or null)",
		`{"uuid":42,"eventType":"x"}`:        "data.events[0].uuid must be a non-empty string (a number)",
		`{"uuid":{"a":1},"eventType":"x"}`:   "data.events[0].uuid must be a non-empty string (an object)",
		`{"uuid":"u1"}`:                      "data.events[0].eventType must be a non-empty string",
		`"text"`:                             "data.events[0] is not a LogEvent object",
		`null`:                               "data.events[0] is not a LogEvent object",
		`{"uuid":"` + strings.Repeat("x", 200) + `","eventType":"x"}`: "uuid is longer than 128 characters",
		hookEvent("ok-1") + `,{}`:                                     "data.events[1] is not a LogEvent object",
	} {
		status, resp := hookRequest(t, http.MethodPost, url, hookBody(body), auth())
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Contains(t, resp, want, body)
	}
	assert.Zero(t, sink.LogRecordCount(), "no record was built or delivered")
}

// TestEventHookFloodOfEmptyObjectsIsRefusedCheaply: a 1 MiB body of `{}` is refused at its
// first element: no record is built.
func TestEventHookFloodOfEmptyObjectsIsRefusedCheaply(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, nil)
	n := (1<<20 - 64) / 3
	body := hookBody(strings.TrimSuffix(strings.Repeat("{},", n), ","))
	require.Less(t, len(body), 1<<20)
	status, resp := hookRequest(t, http.MethodPost, url, body, auth())
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, resp, "data.events[0] is not a LogEvent object")
	assert.Zero(t, sink.LogRecordCount())
}

// TestEventHookEventCap: more events than max_events_per_delivery is 413; the cap itself is fine.
func TestEventHookEventCap(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, func(c *HooksConfig) { c.MaxEventsPerDelivery = 5 })
	events := make([]string, 6)
	for i := range events {
		events[i] = hookEvent(fmt.Sprintf("cap-%d", i))
	}
	status, resp := hookRequest(t, http.MethodPost, url, hookBody(events...), auth())
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, resp, "more than event_hooks.max_events_per_delivery (5) events")
	assert.Zero(t, sink.LogRecordCount())
	status, _ = hookRequest(t, http.MethodPost, url, hookBody(events[:5]...), auth())
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 5, sink.LogRecordCount())
}

// rawHookRequest writes a POST with the given Content-Length and body bytes on a raw
// connection (so the declared length can lie) and returns the status line of the answer, or
// the read error.
func rawHookRequest(t *testing.T, hookURL string, contentLength int, body string) (string, time.Duration, error) {
	t.Helper()
	addr := strings.TrimPrefix(hookURL, "http://")
	addr, path, _ := strings.Cut(addr, "/")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "POST /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		path, addr, testkit.HookSecret, contentLength, body)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), time.Since(start), err
}

// TestEventHookLyingContentLength: a declared length above max_body_size is refused from the
// headers (413) without waiting for the body; a declared length that never arrives is cut off
// by read_timeout (408).
func TestEventHookLyingContentLength(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, func(c *HooksConfig) {
		c.Server.ReadTimeout = 500 * time.Millisecond
	})
	line, _, err := rawHookRequest(t, url, 10<<20, `{"data":`)
	require.NoError(t, err)
	assert.Contains(t, line, "413")

	line, took, err := rawHookRequest(t, url, 1000, `{"data":`)
	if err != nil {
		assert.ErrorIs(t, err, io.EOF, "the connection is closed or answered, never held open")
	} else {
		assert.Contains(t, line, "408")
	}
	assert.Less(t, took, 10*time.Second, "answered at read_timeout, not held open")
	assert.Zero(t, sink.LogRecordCount())
}

// TestEventHookPermanentRefusalSkipsThePoisonEvent: a delivery the pipeline refuses with a
// permanent error is isolated: the good events arrive, the poison one is skipped and counted,
// and Okta gets 200 (a retry could not help). A transient refusal still answers 503.
func TestEventHookPermanentRefusalSkipsThePoisonEvent(t *testing.T) {
	next := &testkit.PoisonConsumer{Poison: "poison-2", Permanent: true, Sink: new(consumertest.LogsSink)}
	h, url := startTestHook(t, next, Params{}, nil)
	status, _ := hookRequest(t, http.MethodPost, url, hookBody(hookEvent("good-1"), hookEvent("poison-2"), hookEvent("good-3")), auth())
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, []string{"good-1", "good-3"}, testkit.DeliveredUUIDs(next.Sink.AllLogs()))
	st := h.shared.Stats()
	assert.Equal(t, map[string]int64{SkipReasonPermanent: 1}, st.Skipped)
	assert.Equal(t, int64(1), st.Errors[ErrKindConsumerPermanent])
	// Offered again (Okta delivers at least once): a duplicate, not a new refusal.
	status, _ = hookRequest(t, http.MethodPost, url, hookBody(hookEvent("poison-2")), auth())
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, int64(2), next.Refusals.Load())

	transient := &testkit.PoisonConsumer{Poison: "poison-9", Sink: new(consumertest.LogsSink)}
	_, url = startTestHook(t, transient, Params{}, nil)
	status, _ = hookRequest(t, http.MethodPost, url, hookBody(hookEvent("good-8"), hookEvent("poison-9")), auth())
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Zero(t, transient.Sink.LogRecordCount())
}

// TestEventHookServerDefaultsHaveTimeouts: every server timeout of the endpoint is set.
func TestEventHookServerDefaultsHaveTimeouts(t *testing.T) {
	srv := DefaultHooksConfig().Server
	assert.Equal(t, 5*time.Second, srv.ReadHeaderTimeout)
	assert.Equal(t, 10*time.Second, srv.ReadTimeout)
	assert.Equal(t, 30*time.Second, srv.WriteTimeout)
}
