package emit

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

func orgResource(res pcommon.Resource) {
	res.Attributes().PutStr("okta.org.url", "https://acme.okta.com")
}

// TestConsumeFillsTheResourceOfEveryBatch: a batch built elsewhere (the System Log decoder)
// and one from NewLogs both reach the consumer with the org's resource attributes.
func TestConsumeFillsTheResourceOfEveryBatch(t *testing.T) {
	sink := new(consumertest.LogsSink)
	e := New(sink, nil, orgResource)

	ld, sl := e.NewLogs()
	sl.LogRecords().AppendEmpty().Body().SetStr("one")
	assert.Equal(t, metadata.ScopeName, sl.Scope().Name())
	require.NoError(t, e.Consume(context.Background(), ld, 1))

	other := plog.NewLogs()
	other.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	require.NoError(t, e.Consume(context.Background(), other, 1))

	require.Len(t, sink.AllLogs(), 2)
	for _, got := range sink.AllLogs() {
		v, ok := got.ResourceLogs().At(0).Resource().Attributes().Get("okta.org.url")
		require.True(t, ok)
		assert.Equal(t, "https://acme.okta.com", v.Str())
	}
}

// TestConsumeReturnsTheConsumersError: a refusal reaches the caller, which decides whether
// to retry (the System Log) or to send again at the next full sync (the inventory).
func TestConsumeReturnsTheConsumersError(t *testing.T) {
	refused := errors.New("queue full")
	e := New(consumertest.NewErr(refused), nil, nil)
	ld, sl := e.NewLogs()
	sl.LogRecords().AppendEmpty()
	assert.ErrorIs(t, e.Consume(context.Background(), ld, 1), refused)
}
