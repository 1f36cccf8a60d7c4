package receiver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// Resource types the tests collect.
const (
	resOrg   = "org"
	resUser  = "user"
	resGroup = "group"
)

// receiverConfig is the default configuration of a receiver on the org at url with the
// System Log off; token "" leaves the credential to the caller (oauth).
func receiverConfig(t *testing.T, url, token string) *oktareceiver.Config {
	t.Helper()
	cfg := oktareceiver.NewFactory().CreateDefaultConfig().(*oktareceiver.Config)
	cfg.ClientConfig.Endpoint = url
	cfg.APIToken = configopaque.String(token)
	cfg.SystemLog.Enabled = false
	return cfg
}

// collectOnly enables exactly types and makes a full sync run every 2 s (an incremental
// sync every second), so that a test sees several full syncs in a few seconds.
func collectOnly(cfg *oktareceiver.Config, types ...string) {
	for typ := range cfg.Inventory.Resources {
		cfg.Inventory.Resources[typ] = oktareceiver.ResourceConfig{Enabled: false}
	}
	for _, typ := range types {
		cfg.Inventory.Resources[typ] = oktareceiver.ResourceConfig{Enabled: true}
	}
	cfg.Inventory.FullSyncInterval = 2 * time.Second
	cfg.Inventory.IncrementalInterval = time.Second
}

// startLogsReceiver starts a logs receiver of cfg delivering into the sink it returns, on a
// host that records component status; it is shut down when the test ends (or by stop).
func startLogsReceiver(t *testing.T, cfg *oktareceiver.Config) (sink *consumertest.LogsSink, host *testkit.StatusHost, stop func()) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	f := oktareceiver.NewFactory()
	sink = new(consumertest.LogsSink)
	r, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	host = &testkit.StatusHost{}
	require.NoError(t, r.Start(context.Background(), host))
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			require.NoError(t, r.Shutdown(context.Background()))
		}
	}
	t.Cleanup(stop)
	return sink, host, stop
}

// snapshotCount returns the number of snapshot records of typ the sink received.
func snapshotCount(sink *consumertest.LogsSink, typ string) int {
	n := 0
	for _, r := range simtest.Records(sink) {
		if r.Event == "okta.inventory.snapshot" && r.Type == typ {
			n++
		}
	}
	return n
}

// waitForFullSyncs waits until the sink holds n full syncs' worth of user snapshots (users
// of the org each), then stops the receiver so that the simulator's counters hold still.
func waitForFullSyncs(t *testing.T, sink *consumertest.LogsSink, stop func(), users, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return snapshotCount(sink, resUser) >= n*users }, 2*time.Minute, 20*time.Millisecond,
		"the receiver did not deliver %d full syncs of %d users", n, users)
	stop()
}
