package inventory_test

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// snapshotIDs returns type -> sorted ids of the snapshot records.
func snapshotIDs(recs []simtest.Record) map[string][]string {
	out := map[string][]string{}
	for _, r := range recs {
		if r.Event == inventory.EventSnapshot {
			out[r.Type] = append(out[r.Type], r.ID)
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// TestFullSyncCompleteness: every object of the ground truth appears as a snapshot with
// the right type and id, and nothing else does.
func TestFullSyncCompleteness(t *testing.T) {
	for _, engine := range []string{"oie", "classic"} {
		t.Run(engine, func(t *testing.T) {
			srv, url := simtest.StartSim(t, func(o *oktasim.Options) { o.Org.Engine = engine })
			inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, withTypes(string(resource.GroupMembership)))
			inv.FullSync(context.Background())
			gt := srv.GroundTruth()
			got := snapshotIDs(records(sink))
			for _, typ := range allResourceTypes {
				want := append([]string(nil), gt.IDs[typ]...)
				sort.Strings(want)
				if len(want) == 0 {
					want = nil
				}
				assert.Equal(t, want, got[typ], "resource type %s", typ)
			}
			stats := inv.Stats()
			assert.Empty(t, stats.Errors, "no type may fail against a super admin token")
			assert.Equal(t, gt.OrgID, inv.OrgID())
		})
	}
}
