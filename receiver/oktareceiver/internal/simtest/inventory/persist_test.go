package inventory_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/statestore"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// persistedRun is one "process" of the inventory on a persisted state.
type persistedRun struct {
	inv  *inventory.Inventory
	sink *consumertest.LogsSink
	logs *observer.ObservedLogs
}

// persistedInventory builds an inventory on the org at url whose state persists in st, with
// group_membership enabled; next (nil: the sink) receives the records.
func persistedInventory(t *testing.T, url string, st storage.Client, next consumer.Logs, mutate func(*inventory.Params)) *persistedRun {
	t.Helper()
	core, logs := observer.New(zap.InfoLevel)
	sink := &consumertest.LogsSink{}
	if next == nil {
		next = sink
	}
	inv, _ := simInventory(t, url, oktasim.DefaultDemoToken, func(p *inventory.Params) {
		enable(&p.Settings, true, string(resource.GroupMembership))
		p.Settings.Persist = true
		p.Storage = st
		p.Telemetry.Logger = zap.New(core)
		p.Emit = emitTo(t, next, p.Client)
		if mutate != nil {
			mutate(p)
		}
	})
	return &persistedRun{inv: inv, sink: sink, logs: logs}
}

// changeKey names a change record: type, id and change type.
type changeKey struct{ typ, id, change string }

// changeRecords returns the change records of recs by key (a key seen twice fails the test).
func changeRecords(t *testing.T, recs []simtest.Record) map[changeKey]simtest.Record {
	t.Helper()
	out := map[changeKey]simtest.Record{}
	for _, r := range recs {
		if r.Event != inventory.EventChange {
			continue
		}
		k := changeKey{r.Type, r.ID, r.Attrs[inventory.AttrChangeType].(string)}
		_, dup := out[k]
		require.False(t, dup, "change %v reported twice", k)
		out[k] = r
	}
	return out
}

// idSet is the ground-truth ids of each type.
func idSet(gt oktasim.GroundTruth) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for typ, ids := range gt.IDs {
		out[typ] = map[string]bool{}
		for _, id := range ids {
			out[typ][id] = true
		}
	}
	return out
}

// valuesByPath returns the okta.change.values of a change record by path.
func valuesByPath(r simtest.Record) map[string]map[string]any {
	out := map[string]map[string]any{}
	vals, _ := r.Attrs[inventory.AttrChangeValues].([]any)
	for _, v := range vals {
		m := v.(map[string]any)
		out[m["path"].(string)] = m
	}
	return out
}

// simUserForDeletion returns the id of an ACTIVE user.
func simUserForDeletion(t *testing.T, url string, gt oktasim.GroundTruth) string {
	t.Helper()
	for _, id := range gt.IDs[string(resource.User)] {
		var u map[string]any
		simControlInto(t, url+"/_sim/resources/user/"+id, &u)
		if u["status"] == "ACTIVE" {
			return id
		}
	}
	t.Fatal("no ACTIVE user in the simulated org")
	return ""
}

// TestPersistedStateReportsChangesMadeWhileStopped: a first run persists its baseline; while
// no inventory runs, the org changes (a user deleted, an app deactivated, a user added to a
// group, a policy rule changed, a zone created); the next run on the persisted state reports
// exactly those changes (and what Okta removes or updates with them: the deleted user's
// memberships, assignments and factors, the member counts of the groups concerned), each
// once and with before and after values; a further full sync reports nothing.
func TestPersistedStateReportsChangesMadeWhileStopped(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	dir := t.TempDir()
	ctx := context.Background()

	st := testkit.OpenFileStorage(t, dir)
	run1 := persistedInventory(t, url, st.Client, nil, nil)
	run1.inv.FullSync(ctx)
	require.Empty(t, changeRecords(t, records(run1.sink)), "the first run is a baseline")
	st.Close(t)

	before := srv.GroundTruth()
	user := simUserForDeletion(t, url, before)
	app := before.IDs[string(resource.Application)][0]
	var rule string
	for _, id := range before.IDs[string(resource.PolicyRule)] {
		var r map[string]any
		simControlInto(t, url+"/_sim/resources/policy_rule/"+id, &r)
		if r["system"] != true {
			rule = id
			break
		}
	}
	require.NotEmpty(t, rule)
	var ruleBefore map[string]any
	simControlInto(t, url+"/_sim/resources/policy_rule/"+rule, &ruleBefore)
	group, member := groupAndNonMember(t, before, user)

	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/user/"+user, nil, nil) // deactivates
	simtest.Control(t, http.MethodDelete, url+"/_sim/resources/user/"+user, nil, nil) // deletes
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/application/"+app, map[string]any{"status": "INACTIVE"}, nil)
	simtest.Control(t, http.MethodPost, url+"/_sim/resources/group_membership", map[string]any{"groupId": group, "userId": member}, nil)
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/policy_rule/"+rule, map[string]any{"name": "Changed while stopped"}, nil)
	simtest.Control(t, http.MethodPost, url+"/_sim/resources/network_zone", map[string]any{
		"name": "Zone created while stopped", "type": "IP", "gateways": []any{map[string]any{"type": "CIDR", "value": "198.51.100.0/24"}}}, nil)
	after := srv.GroundTruth()

	// The expected changes, from the ground truth: what vanished, what appeared, and the
	// objects changed in place.
	want := map[changeKey]bool{}
	b, a := idSet(before), idSet(after)
	for typ := range b {
		if !run1.inv.Enabled(typ) {
			continue
		}
		for id := range b[typ] {
			if !a[typ][id] {
				want[changeKey{typ, id, inventory.ChangeDeleted}] = true
			}
		}
		for id := range a[typ] {
			if !b[typ][id] {
				want[changeKey{typ, id, inventory.ChangeCreated}] = true
			}
		}
	}
	want[changeKey{string(resource.Application), app, inventory.ChangeUpdated}] = true
	want[changeKey{string(resource.PolicyRule), rule, inventory.ChangeUpdated}] = true
	for k := range want {
		if k.typ == string(resource.GroupMembership) { // a membership change moves the group's member count
			g, _, _ := strings.Cut(k.id, "/")
			want[changeKey{string(resource.Group), g, inventory.ChangeUpdated}] = true
		}
	}

	st = testkit.OpenFileStorage(t, dir)
	run2 := persistedInventory(t, url, st.Client, nil, nil)
	run2.inv.FullSync(ctx)
	got := changeRecords(t, records(run2.sink))
	gotKeys := map[changeKey]bool{}
	for k, r := range got {
		gotKeys[k] = true
		assert.Equal(t, inventory.TriggerFullSync, r.Attrs[inventory.AttrChangeTrigger], "%v", k)
	}
	assert.Equal(t, want, gotKeys, "exactly the changes made while stopped")

	userDel := valuesByPath(got[changeKey{string(resource.User), user, inventory.ChangeDeleted}])
	assert.Equal(t, "ACTIVE", userDel["status"]["before"], "the persisted state kept the status before the stop")
	assert.NotContains(t, userDel["status"], "after")
	assert.NotEmpty(t, userDel["profile.login"]["before"])
	appUpd := valuesByPath(got[changeKey{string(resource.Application), app, inventory.ChangeUpdated}])
	assert.Equal(t, "ACTIVE", appUpd["status"]["before"])
	assert.Equal(t, "INACTIVE", appUpd["status"]["after"])
	ruleUpd := valuesByPath(got[changeKey{string(resource.PolicyRule), rule, inventory.ChangeUpdated}])
	assert.Equal(t, ruleBefore["name"], ruleUpd["name"]["before"])
	assert.Equal(t, "Changed while stopped", ruleUpd["name"]["after"])
	assert.NotContains(t, got[changeKey{string(resource.GroupMembership), group + "/" + member, inventory.ChangeCreated}].Attrs, inventory.AttrChangeValues,
		"a membership is audited by its creation alone")
	var zone simtest.Record
	for k, r := range got {
		if k.typ == string(resource.NetworkZone) {
			zone = r
		}
	}
	gw := valuesByPath(zone)["gateways"]["after"].([]any)
	assert.Equal(t, "198.51.100.0/24", gw[0].(map[string]any)["value"])

	// The next full sync reports nothing: the deletions were persisted.
	run2.sink.Reset()
	run2.inv.FullSync(ctx)
	assert.Empty(t, changeRecords(t, records(run2.sink)), "nothing changed since")
	st.Close(t)

	// Nor does a run after another restart.
	st = testkit.OpenFileStorage(t, dir)
	run3 := persistedInventory(t, url, st.Client, nil, nil)
	run3.inv.FullSync(ctx)
	assert.Empty(t, changeRecords(t, records(run3.sink)), "nothing changed since the last persisted sync")
}

// groupAndNonMember returns a group that is not the built-in one and a user (not exclude)
// that is not in it.
func groupAndNonMember(t *testing.T, gt oktasim.GroundTruth, exclude string) (string, string) {
	t.Helper()
	members := map[string]bool{}
	count := map[string]int{}
	for _, id := range gt.IDs[string(resource.GroupMembership)] {
		members[id] = true
		g, _, _ := strings.Cut(id, "/")
		count[g]++
	}
	for _, g := range gt.IDs[string(resource.Group)] {
		if count[g] == len(gt.IDs[string(resource.User)]) {
			continue // the built-in Everyone group
		}
		for _, u := range gt.IDs[string(resource.User)] {
			if u != exclude && !members[g+"/"+u] {
				return g, u
			}
		}
	}
	t.Fatal("no group with a non-member")
	return "", ""
}

// TestPersistedStateSetAside: a persisted state of another org, another selection of
// resource types, or a damaged one is set aside with one log line, and the run is a
// baseline (no change records) whose state the next run uses.
func TestPersistedStateSetAside(t *testing.T) {
	for name, tc := range map[string]struct {
		prepare func(t *testing.T, st storage.Client)
		mutate  func(*inventory.Params)
		reason  string
	}{
		"other org": {reason: "written for org", prepare: func(t *testing.T, st storage.Client) {
			s, _, err := statestore.Open(context.Background(), st, statestore.Identity{OrgID: "00oSOMEONEELSE", Selection: "x"})
			require.NoError(t, err)
			_, err = s.Commit(context.Background(), nil)
			require.NoError(t, err)
		}},
		"other selection": {reason: "another selection of resource types", mutate: func(p *inventory.Params) {
			enable(&p.Settings, false, string(resource.UserFactor))
		}},
		"damaged bucket": {reason: "checksum mismatch", prepare: func(t *testing.T, st storage.Client) {
			key := statestore.BucketKey(string(resource.User), 1, 0) // 40 users: one bucket
			v, err := st.Get(context.Background(), key)
			require.NoError(t, err)
			require.NotEmpty(t, v)
			v[len(v)/2] ^= 0x5a
			require.NoError(t, st.Set(context.Background(), key, v))
		}},
	} {
		t.Run(name, func(t *testing.T) {
			_, url := simtest.StartSim(t, nil)
			dir := t.TempDir()
			ctx := context.Background()
			st := testkit.OpenFileStorage(t, dir)
			if tc.prepare == nil || name == "damaged bucket" {
				run := persistedInventory(t, url, st.Client, nil, nil)
				run.inv.FullSync(ctx)
			}
			if tc.prepare != nil {
				tc.prepare(t, st.Client)
			}
			st.Close(t)

			st = testkit.OpenFileStorage(t, dir)
			run := persistedInventory(t, url, st.Client, nil, tc.mutate)
			run.inv.FullSync(ctx)
			lines := run.logs.FilterMessageSnippet("Persisted inventory state set aside").All()
			require.Len(t, lines, 1, "one log line")
			assert.Contains(t, lines[0].ContextMap()["reason"], tc.reason)
			assert.Empty(t, changeRecords(t, records(run.sink)), "a baseline")
			assert.NotZero(t, run.sink.LogRecordCount(), "with its snapshots")
			st.Close(t)

			st = testkit.OpenFileStorage(t, dir)
			run = persistedInventory(t, url, st.Client, nil, tc.mutate)
			run.inv.FullSync(ctx)
			assert.Empty(t, run.logs.FilterMessageSnippet("set aside").All(), "the new state is used")
			assert.Empty(t, changeRecords(t, records(run.sink)))
		})
	}
}

// killAfterConsume delivers to sink and, once a delivered batch holds a change record,
// cancels the run: the process "dies" after ConsumeLogs accepted the change and before its
// state was written.
type killAfterConsume struct {
	sink   consumertest.LogsSink
	cancel context.CancelFunc
	killed atomic.Bool
	once   sync.Once
}

func (k *killAfterConsume) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (k *killAfterConsume) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if err := k.sink.ConsumeLogs(ctx, ld); err != nil {
		return err
	}
	for _, r := range viewsOf(ld) {
		if r.Event == inventory.EventChange {
			k.once.Do(func() { k.killed.Store(true); k.cancel() })
		}
	}
	return nil
}

func viewsOf(ld plog.Logs) []simtest.Record {
	s := &consumertest.LogsSink{}
	_ = s.ConsumeLogs(context.Background(), ld)
	return records(s)
}

// TestPersistedStateChangeSurvivesAKillBeforePersist: a run dies after ConsumeLogs accepted
// a change record and before the state was written; the next run reports the same change
// again with the same log.record.uid, and after that run persisted it, never again.
func TestPersistedStateChangeSurvivesAKillBeforePersist(t *testing.T) {
	srv, url := simtest.StartSim(t, nil)
	dir := t.TempDir()
	st := testkit.OpenFileStorage(t, dir)
	persistedInventory(t, url, st.Client, nil, nil).inv.FullSync(context.Background())
	st.Close(t)

	user := srv.GroundTruth().IDs[string(resource.User)][3]
	simtest.Control(t, http.MethodPatch, url+"/_sim/resources/user/"+user, map[string]any{"profile": map[string]any{"title": "Changed while stopped"}}, nil)

	st = testkit.OpenFileStorage(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	killer := &killAfterConsume{cancel: cancel}
	persistedInventory(t, url, st.Client, killer, nil).inv.FullSync(ctx)
	require.True(t, killer.killed.Load())
	first := changeRecords(t, records(&killer.sink))
	require.Contains(t, first, changeKey{string(resource.User), user, inventory.ChangeUpdated})
	st.Close(t)

	st = testkit.OpenFileStorage(t, dir)
	run := persistedInventory(t, url, st.Client, nil, nil)
	run.inv.FullSync(context.Background())
	again := changeRecords(t, records(run.sink))
	k := changeKey{string(resource.User), user, inventory.ChangeUpdated}
	require.Contains(t, again, k, "the change is reported again, never lost")
	assert.Equal(t, first[k].Attrs[attrLogRecordUID], again[k].Attrs[attrLogRecordUID], "with the same log.record.uid")
	// A group member is delivered as its user object, so the user's memberships change too.
	want := map[changeKey]bool{k: true}
	for _, id := range srv.GroundTruth().IDs[string(resource.GroupMembership)] {
		if strings.HasSuffix(id, "/"+user) {
			want[changeKey{string(resource.GroupMembership), id, inventory.ChangeUpdated}] = true
		}
	}
	gotKeys := map[changeKey]bool{}
	for gk := range again {
		gotKeys[gk] = true
	}
	assert.Equal(t, want, gotKeys, "and nothing else")
	vals := valuesByPath(again[k])
	assert.Equal(t, "Changed while stopped", vals["profile.title"]["after"])
	st.Close(t)

	st = testkit.OpenFileStorage(t, dir)
	run = persistedInventory(t, url, st.Client, nil, nil)
	run.inv.FullSync(context.Background())
	assert.Empty(t, changeRecords(t, records(run.sink)), "once persisted, it is not reported again")
}

// simControlInto GETs a control-API url and decodes the JSON answer into out.
func simControlInto(t *testing.T, url string, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, http.NoBody)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
}
