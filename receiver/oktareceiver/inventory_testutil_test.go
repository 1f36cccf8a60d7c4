package oktareceiver

import (
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

const testToken = "test-ssws-token-value"

// newTestInventoryWithSink builds an inventory on client c (cfg nil: defaults) that delivers
// into the sink it returns.
func newTestInventoryWithSink(t testing.TB, c *oktaapi.Client, cfg *Config) (*inventory, *consumertest.LogsSink) {
	t.Helper()
	if cfg == nil {
		cfg = createDefaultConfig().(*Config)
		cfg.ClientConfig.Endpoint = c.OrgURL()
		cfg.APIToken = testToken
	}
	set := receivertest.NewNopSettings(metadata.Type)
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set})
	require.NoError(t, err)
	sink := &consumertest.LogsSink{}
	r := newOktaReceiver(cfg, set)
	r.client = c
	inv := newInventory(inventoryParams{
		cfg: cfg, settings: set, client: c, storage: storage.NewNopClient(), emit: emit.New(sink, obs, r.fillResource),
	})
	return inv, sink
}
