package oktareceiver

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// snapshotIDs returns type -> sorted ids of the snapshot records.
func snapshotIDs(recs []recordView) map[string][]string {
	out := map[string][]string{}
	for _, r := range recs {
		if r.event == eventInventorySnapshot {
			out[r.typ] = append(out[r.typ], r.id)
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
			srv, url := startInvSim(t, func(o *oktasim.Options) { o.Org.Engine = engine })
			inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, func(c *Config) {
				c.Inventory.Resources[resGroupMembership] = ResourceConfig{Enabled: true}
			})
			inv.fullSync(context.Background())
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
			stats := inv.stats()
			assert.Empty(t, stats.errors, "no type may fail against a super admin token")
			assert.Equal(t, gt.OrgID, inv.getOrgID())
		})
	}
}
