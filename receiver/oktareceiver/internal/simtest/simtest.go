// Package simtest starts the Okta simulator for the receiver's tests and flattens what the
// receiver emitted into plain values to assert on.
package simtest

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// Token is the API token the tests present; the simulator accepts any non-empty token.
const Token = "test-ssws-token-value" //nolint:gosec // G101: a fixed test token, not a credential

// StartSim starts a small deterministic simulated org on 127.0.0.1:0 with rate limits off
// (the headers are still sent) and the control API on. mutate may adjust the options. The
// server stops when the test ends.
func StartSim(t testing.TB, mutate func(*oktasim.Options)) (*oktasim.Server, string) {
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

// Record is one emitted log record, flattened for assertions.
type Record struct {
	Event, Type, ID string
	Attrs           map[string]any
	Body            map[string]any
}

// Records flattens every log record the sink received, in order.
func Records(sink *consumertest.LogsSink) []Record {
	var out []Record
	for _, ld := range sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					out = append(out, RecordOf(lrs.At(k)))
				}
			}
		}
	}
	return out
}

// RecordOf flattens one log record.
func RecordOf(lr plog.LogRecord) Record {
	attrs := lr.Attributes().AsRaw()
	r := Record{Event: lr.EventName(), Attrs: attrs}
	r.Type, _ = attrs["okta.resource.type"].(string)
	r.ID, _ = attrs["okta.resource.id"].(string)
	if lr.Body().Type() == pcommon.ValueTypeMap {
		r.Body = lr.Body().Map().AsRaw()
	}
	return r
}
