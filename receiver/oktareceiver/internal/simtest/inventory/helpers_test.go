package inventory_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// allResourceTypes lists every resource type in the table's order.
var allResourceTypes = func() []string {
	var out []string
	for _, spec := range resource.All() {
		out = append(out, string(spec.Type))
	}
	return out
}()

// The triggers the System Log passes to HandleChanges.
const (
	triggerSystemLog = "system_log"
	triggerEventHook = "event_hook"
)

// defaultSettings are the receiver's default inventory settings: a 6h full sync, a 1m
// incremental sync, the table's default resource types, no storage extension.
func defaultSettings() inventory.Settings {
	return inventory.Settings{
		FullSyncInterval:    6 * time.Hour,
		IncrementalInterval: time.Minute,
		Enabled: func(typ string) bool {
			spec := resource.Lookup(resource.Type(typ))
			return spec != nil && !spec.DefaultDisabled
		},
	}
}

// enable turns resource types on (on true) or off in s, keeping the others as they were.
func enable(s *inventory.Settings, on bool, types ...string) {
	prev := s.Enabled
	set := map[string]bool{}
	for _, t := range types {
		set[t] = true
	}
	s.Enabled = func(typ string) bool {
		if set[typ] {
			return on
		}
		return prev(typ)
	}
}

// defaultBudget is the receiver's default rate_limit.budget.
const defaultBudget = 0.5

// attrLogRecordUID is the attribute that carries each record's log.record.uid.
const attrLogRecordUID = "log.record.uid"

// newClient returns an Okta client of the org at url that presents the API token token.
func newClient(t testing.TB, url, token string) *oktaapi.Client {
	t.Helper()
	c, err := oktaapi.New(oktaapi.Params{
		Endpoint: url, HTTP: &http.Client{Timeout: 30 * time.Second}, Auth: oktaapi.APIToken(token),
		Budget: defaultBudget, UserAgent: "otelcol-okta/test",
	})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// newParams returns the Params of an inventory of the org at url authenticated with token,
// delivering into the sink it returns, with the default settings and a no-op storage.
func newParams(t testing.TB, url, token string) (inventory.Params, *consumertest.LogsSink) {
	t.Helper()
	c := newClient(t, url, token)
	set := receivertest.NewNopSettings(metadata.Type)
	sink := &consumertest.LogsSink{}
	return inventory.Params{
		Settings: defaultSettings(), Telemetry: set.TelemetrySettings, Client: c,
		Storage: storage.NewNopClient(), Emit: emitTo(t, sink, c),
	}, sink
}

// emitTo returns the receiver's emit path into next: obsreport, and okta.org.url and
// okta.org.id (once c knows it) on every batch.
func emitTo(t testing.TB, next consumer.Logs, c *oktaapi.Client) *emit.Emitter {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set})
	require.NoError(t, err)
	return emit.New(next, obs, func(res pcommon.Resource) {
		rb := metadata.NewResourceBuilder(metadata.DefaultResourceAttributesConfig())
		rb.SetOktaOrgURL(c.OrgURL())
		if id := c.Org().ID; id != "" {
			rb.SetOktaOrgID(id)
		}
		rb.Emit().MoveTo(res)
	})
}

// simInventory returns an inventory of the org at url authenticated with token; mutate may
// adjust its Params.
func simInventory(t testing.TB, url, token string, mutate func(*inventory.Params)) (*inventory.Inventory, *consumertest.LogsSink) {
	t.Helper()
	p, sink := newParams(t, url, token)
	if mutate != nil {
		mutate(&p)
	}
	return inventory.New(p), sink
}

// withTypes returns a Params mutation that turns types on.
func withTypes(types ...string) func(*inventory.Params) {
	return func(p *inventory.Params) { enable(&p.Settings, true, types...) }
}

// withLogger returns a Params mutation that makes the inventory log to logger.
func withLogger(logger *zap.Logger) func(*inventory.Params) {
	return func(p *inventory.Params) { p.Telemetry.Logger = logger }
}

// records flattens every log record the sink received.
func records(sink *consumertest.LogsSink) []simtest.Record { return simtest.Records(sink) }
