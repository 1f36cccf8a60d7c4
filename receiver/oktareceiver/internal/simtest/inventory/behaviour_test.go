package inventory_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

func changesOf(recs []simtest.Record, typ, changeType string) []simtest.Record {
	var out []simtest.Record
	for _, r := range recs {
		if r.Event == inventory.EventChange && r.Type == typ && r.Attrs[inventory.AttrChangeType] == changeType {
			out = append(out, r)
		}
	}
	return out
}

// TestDeletionDetectedAtFullSync: an object deleted between two full syncs yields one
// deleted change record (trigger full_sync).
func TestDeletionDetectedAtFullSync(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	require.Empty(t, changesOf(records(sink), string(resource.User), inventory.ChangeDeleted), "first sync is a baseline")
	victim := srv.GroundTruth().IDs[string(resource.TrustedOrigin)][0]
	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/trusted_origin/"+victim, nil, nil)
	sink.Reset()
	inv.FullSync(context.Background())
	del := changesOf(records(sink), string(resource.TrustedOrigin), inventory.ChangeDeleted)
	require.Len(t, del, 1)
	assert.Equal(t, victim, del[0].ID)
	assert.Equal(t, inventory.TriggerFullSync, del[0].Attrs[inventory.AttrChangeTrigger])
	assert.NotEmpty(t, del[0].Attrs[inventory.AttrSyncID])
	// Nothing else changed, so no other change records.
	for _, r := range records(sink) {
		if r.Event == inventory.EventChange {
			assert.Equal(t, victim, r.ID, "unexpected change %v", r.Attrs)
		}
	}
}

// TestIncrementalSyncEmitsUpdatedFields: a user updated after the full sync is found by
// the lastUpdated query and reported with the changed field paths.
func TestIncrementalSyncEmitsUpdatedFields(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	var userID string
	for _, id := range srv.GroundTruth().IDs[string(resource.User)] {
		if inv.ValuesOf(string(resource.User))[id].Name == "" { // users keep no name; pick any active one
			userID = id
			break
		}
	}
	require.NotEmpty(t, userID)
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+userID, map[string]any{"profile": map[string]any{"title": "Chief Tester"}}, nil)
	sink.Reset()
	inv.IncrementalSync(context.Background())
	upd := changesOf(records(sink), string(resource.User), inventory.ChangeUpdated)
	require.Len(t, upd, 1, "exactly the updated user")
	assert.Equal(t, userID, upd[0].ID)
	assert.Equal(t, inventory.TriggerIncremental, upd[0].Attrs[inventory.AttrChangeTrigger])
	fields, _ := upd[0].Attrs[inventory.AttrChangeFields].([]any)
	assert.Contains(t, fields, "profile.title")
	assert.Equal(t, "Chief Tester", upd[0].Body["profile"].(map[string]any)["title"])
	// A second incremental pass finds nothing new.
	sink.Reset()
	inv.IncrementalSync(context.Background())
	assert.Empty(t, changesOf(records(sink), string(resource.User), inventory.ChangeUpdated))
}

// TestReadOnlyAdminSkipsForbiddenTypesOnce: a read-only token gets 403 on Super-Admin-only
// endpoints (okta_support...): those types are skipped and counted, the others delivered.
func TestReadOnlyAdminSkipsForbiddenTypesOnce(t *testing.T) {
	const roToken = "read-only-token"
	srv, url := simtest.StartSim(t, func(o *oktasim.Options) {
		o.Platform.Tokens = append(o.Platform.Tokens, oktasim.APIToken{Value: roToken, Role: oktasim.RoleReadOnly, Name: "ro"})
	})
	inv, sink := simInventory(t, url, roToken, nil)
	inv.FullSync(context.Background())
	inv.FullSync(context.Background())
	got := snapshotIDs(records(sink))
	assert.Empty(t, got[string(resource.OktaSupport)], "okta_support is Super Admin only")
	st := inv.Stats()
	assert.Equal(t, int64(1), st.Errors[string(resource.OktaSupport)], "skipped at each full sync, counted once")
	assert.Equal(t, inventory.ReportedSkip, inv.Reported(string(resource.OktaSupport)))
	gt := srv.GroundTruth()
	assert.Len(t, got[string(resource.User)], 2*len(gt.IDs[string(resource.User)]), "users delivered by both syncs")
	assert.Len(t, got[string(resource.Application)], 2*len(gt.IDs[string(resource.Application)]))
}
