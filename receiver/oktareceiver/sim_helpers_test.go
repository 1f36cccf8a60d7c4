package oktareceiver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// startInvSim starts a small deterministic simulated org on 127.0.0.1:0 with rate limits off
// (the headers are still sent) and the control API on. mutate may adjust the options.
func startInvSim(t testing.TB, mutate func(*oktasim.Options)) (*oktasim.Server, string) {
	t.Helper()
	opts := oktasim.DefaultOptions()
	opts.Org.Seed = 7
	opts.Org.Users, opts.Org.Groups, opts.Org.Apps = 40, 8, 5
	opts.Platform.RateLimits.Enabled = false
	opts.Control = true
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := oktasim.New(opts)
	require.NoError(t, err)
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv, url
}

// simInventory returns an inventory for the org at url authenticated with token.
func simInventory(t testing.TB, url, token string, mutate func(*Config)) (*inventory, *consumertest.LogsSink) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = url
	cfg.APIToken = configopaque.String(token)
	cfg.SystemLog.Enabled = false
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	c, err := newClient(cfg, &http.Client{Timeout: 30 * time.Second}, component.NewDefaultBuildInfo(), nil, nil)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return newTestInventoryWithSink(t, c, cfg)
}

// recordView is a flattened inventory log record for assertions.
type recordView struct {
	event, typ, id string
	attrs          map[string]any
	body           map[string]any
}

// records flattens every log record the sink received.
func records(sink *consumertest.LogsSink) []recordView {
	var out []recordView
	for _, ld := range sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					out = append(out, viewOf(lrs.At(k)))
				}
			}
		}
	}
	return out
}

func viewOf(lr plog.LogRecord) recordView {
	attrs := lr.Attributes().AsRaw()
	v := recordView{event: lr.EventName(), attrs: attrs}
	v.typ, _ = attrs[attrResourceType].(string)
	v.id, _ = attrs[attrResourceID].(string)
	if lr.Body().Type() == pcommon.ValueTypeMap {
		v.body = lr.Body().Map().AsRaw()
	}
	return v
}
