package systemlog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// startTestHook starts an event hook endpoint on a free loopback port and returns its URL.
func startTestHook(t *testing.T, next consumer.Logs, params Params, mutate func(*HooksConfig)) (*HookServer, string) {
	t.Helper()
	cfg := DefaultConfig()
	hooks := DefaultHooksConfig()
	hooks.Enabled = true
	hooks.Secret = testkit.HookSecret
	hooks.Server.NetAddr.Endpoint = "127.0.0.1:0"
	if mutate != nil {
		mutate(&hooks)
	}
	require.NoError(t, hooks.Check())
	params.Config, params.Hooks, params.OrgURL = &cfg, &hooks, "https://test-org.example.org"
	params.Telemetry = receivertest.NewNopSettings(metadata.Type)
	params.Emit = emit.New(next, nil, nil)
	if params.Storage == nil {
		params.Storage = testkit.NewMapStorage()
	}
	h := NewHookServer(params)
	require.NoError(t, h.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { assert.NoError(t, h.Shutdown(context.Background())) })
	return h, "http://" + h.Addr() + hooks.Path
}

func hookRequest(t *testing.T, method, url string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := noKeepAliveClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// noKeepAliveClient closes each connection after its response, so that no idle connection
// (and its goroutines) outlives the server a test shut down (goleak in TestMain).
var noKeepAliveClient = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{DisableKeepAlives: true},
}

func auth() map[string]string { return map[string]string{"Authorization": testkit.HookSecret} }

func TestEventHookVerificationChallenge(t *testing.T) {
	_, url := startTestHook(t, new(consumertest.LogsSink), Params{}, nil)
	status, body := hookRequest(t, http.MethodGet, url, nil, map[string]string{
		"Authorization":                 testkit.HookSecret,
		"x-okta-verification-challenge": "chall-123_abc",
	})
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"verification":"chall-123_abc"}`, body)

	status, body = hookRequest(t, http.MethodGet, url, nil, auth())
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "X-Okta-Verification-Challenge")

	status, _ = hookRequest(t, http.MethodGet, url, nil, map[string]string{"x-okta-verification-challenge": "c"})
	assert.Equal(t, http.StatusUnauthorized, status, "verification requires the secret too")

	status, _ = hookRequest(t, http.MethodGet, strings.TrimSuffix(url, "/events")+"/other", nil, auth())
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = hookRequest(t, http.MethodPut, url, nil, auth())
	assert.Equal(t, http.StatusMethodNotAllowed, status)
}

func TestEventHookRejectsWithoutSecret(t *testing.T) {
	sink := new(consumertest.LogsSink)
	h, url := startTestHook(t, sink, Params{}, nil)
	body := readTestdata(t, "hook-delivery.json")
	for name, headers := range map[string]map[string]string{
		"missing":      nil,
		"wrong":        {"Authorization": "nope"},
		"prefix":       {"Authorization": testkit.HookSecret[:5]},
		"other header": {"X-Other": testkit.HookSecret},
	} {
		status, resp := hookRequest(t, http.MethodPost, url, body, headers)
		assert.Equal(t, http.StatusUnauthorized, status, name)
		assert.NotContains(t, resp, testkit.HookSecret)
	}
	assert.Equal(t, 0, sink.LogRecordCount())
	assert.Equal(t, int64(4), h.shared.Stats().Errors[ErrKindHookUnauthorized])
}

func TestEventHookCustomHeaderName(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, func(c *HooksConfig) { c.HeaderName = "X-Hook-Key" })
	body := readTestdata(t, "hook-delivery.json")
	status, _ := hookRequest(t, http.MethodPost, url, body, auth())
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = hookRequest(t, http.MethodPost, url, body, map[string]string{"X-Hook-Key": testkit.HookSecret})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, sink.LogRecordCount())
}

func TestEventHookBodyTooLarge(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, func(c *HooksConfig) { c.MaxBodySize = 512 })
	body := readTestdata(t, "hook-delivery.json")
	require.Greater(t, len(body), 512)
	status, resp := hookRequest(t, http.MethodPost, url, body, auth())
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, resp, "event_hooks.max_body_size")
	assert.Equal(t, 0, sink.LogRecordCount())
}

func TestEventHookMalformedBodies(t *testing.T) {
	sink := new(consumertest.LogsSink)
	_, url := startTestHook(t, sink, Params{}, nil)
	for body, want := range map[string]string{
		`{"data":{"events":[`:                 "invalid JSON",
		`not json`:                            "invalid JSON",
		`[]`:                                  "the body must be a JSON object",
		`{"eventType":"com.okta.event_hook"}`: "missing data.events",
		`{"data":{}}`:                         "missing data.events",
		`{"data":{"events":null}}`:            "missing data.events",
		`{"data":[]}`:                         "data must be a JSON object",
		`{"data":{"events":{}}}`:              "data.events must be an array of LogEvent objects",
		`{"data":{"events":[1,2]}}`:           "data.events[0] is not a LogEvent object",
	} {
		status, resp := hookRequest(t, http.MethodPost, url, []byte(body), auth())
		assert.Equal(t, http.StatusBadRequest, status, body)
		assert.Contains(t, resp, want, body)
	}
	assert.Equal(t, 0, sink.LogRecordCount())
}

func TestEventHookDeliveryConsumedOnce(t *testing.T) {
	sink := new(consumertest.LogsSink)
	rec := new(testkit.ChangesRecorder)
	store := testkit.NewMapStorage()
	h, url := startTestHook(t, sink, Params{OnChanges: rec.OnChanges, Storage: store}, nil)
	// An event that changes an inventory object (the actor's factors), so that the inventory
	// is told about it once.
	body := bytes.Replace(readTestdata(t, "hook-delivery.json"), []byte(`"user.session.start"`), []byte(`"user.mfa.factor.activate"`), 1)

	status, _ := hookRequest(t, http.MethodPost, url, body, auth())
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 1, sink.LogRecordCount())
	lr := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "user.mfa.factor.activate", lr.EventName())
	uid, _ := lr.Attributes().Get("log.record.uid")
	assert.Equal(t, "9d2e7a10-0000-4c1a-8f00-000000000001", uid.Str())
	kind, _ := lr.Attributes().Get("okta.record.kind")
	assert.Equal(t, "system_log", kind.Str())

	// Okta delivers at least once: the same events again are acknowledged and dropped.
	status, _ = hookRequest(t, http.MethodPost, url, body, auth())
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, sink.LogRecordCount())

	triggers, changes := rec.Snapshot()
	assert.Equal(t, []string{"event_hook"}, triggers, "the inventory is told once: the duplicate is dropped first")
	assert.Equal(t, []resource.Change{{Type: resource.UserFactor, ID: "00uTestActor000001x7", Children: true,
		Published: changes[0].Published, EventUUID: "9d2e7a10-0000-4c1a-8f00-000000000001"}}, changes)
	st := h.shared.Stats()
	assert.Equal(t, int64(1), st.HookEvents)
	assert.Equal(t, int64(1), st.Duplicates)
	assert.Equal(t, int64(1), st.EventsByOutcome["FAILURE"])

	// The uuid is saved with the checkpoint, so a restart still knows it.
	cp, err := ReadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	require.NotNil(t, cp)
	assert.Contains(t, cp.RecentUUIDs, "9d2e7a10-0000-4c1a-8f00-000000000001")
}

func TestEventHookConsumerErrorIs503(t *testing.T) {
	store := testkit.NewMapStorage()
	_, url := startTestHook(t, consumertest.NewErr(errors.New("pipeline full")), Params{Storage: store}, nil)
	status, resp := hookRequest(t, http.MethodPost, url, readTestdata(t, "hook-delivery.json"), auth())
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.NotContains(t, resp, "pipeline full")
	cp, err := ReadCheckpoint(context.Background(), store)
	require.NoError(t, err)
	assert.Nil(t, cp, "nothing is marked when the consumer refused the events")
}

func TestEventHookSharesDedupeWithPoller(t *testing.T) {
	sink := new(consumertest.LogsSink)
	h, url := startTestHook(t, sink, Params{}, nil)
	status, _ := hookRequest(t, http.MethodPost, url, readTestdata(t, "hook-delivery.json"), auth())
	require.Equal(t, http.StatusOK, status)

	// The poller's page holds the hook's event and two others: only those two are new.
	events, err := DecodePage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	res, err := h.shared.deliver(context.Background(), h.params, TriggerSystemLog, events, "https://test-org.example.org/api/v1/logs?after=x")
	require.NoError(t, err)
	assert.Equal(t, 2, res.delivered)
	assert.Equal(t, 1, res.duplicates)
	assert.Equal(t, 3, sink.LogRecordCount())
}

func TestParseEventHookBodyEmptyEvents(t *testing.T) {
	events, err := parseEventHookBody([]byte(`{"data":{"events":[]}}`), time.Now())
	require.NoError(t, err)
	assert.Zero(t, events.Len())
	assert.Zero(t, events.logs.LogRecordCount())
	events, err = parseEventHookBody(readTestdata(t, "hook-delivery.json"), time.Now())
	require.NoError(t, err)
	require.Equal(t, 1, events.Len())
	body := events.records().At(0).Body().Map().AsRaw()
	assert.Equal(t, int64(64496), body["securityContext"].(map[string]any)["asNumber"], "integers stay integers")
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "systemlog", name))
	require.NoError(t, err)
	return b
}
