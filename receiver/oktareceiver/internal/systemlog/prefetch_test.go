package systemlog

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

func TestPrecomputedEventRefsFollowDedupe(t *testing.T) {
	cfg := DefaultConfig()
	sink := new(consumertest.LogsSink)
	var got []string
	params := Params{
		Config: &cfg, OrgURL: "https://a.example.org", Telemetry: receivertest.NewNopSettings(metadata.Type), Storage: testkit.NewMapStorage(), Emit: emit.New(sink, nil, nil),
		OnChanges: func(_ context.Context, _ string, changes []resource.Change) {
			for _, c := range changes {
				if len(got) == 0 || got[len(got)-1] != c.EventUUID {
					got = append(got, c.EventUUID)
				}
			}
		},
	}
	sh := NewShared(&cfg)
	require.NoError(t, sh.load(context.Background(), params))
	batch, err := DecodePage(readTestdata(t, "page.json"), time.Now())
	require.NoError(t, err)
	require.Equal(t, 3, batch.Len())
	batch.refs = batch.eventRefs()
	sh.window.add(batch.facts[1].uuid) // the middle event was delivered before (by the hook)
	want := []string{batch.facts[0].uuid, batch.facts[2].uuid}

	res, err := sh.deliver(context.Background(), params, TriggerSystemLog, batch, "https://a.example.org/api/v1/logs?after=1")
	require.NoError(t, err)
	assert.Equal(t, 1, res.duplicates)
	assert.Equal(t, want, testkit.DeliveredUUIDs(sink.AllLogs()))
	assert.Equal(t, want, got, "onChanges hears of the events of exactly the delivered records (both change the inventory; the duplicate does not count)")
}
