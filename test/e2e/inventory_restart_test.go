package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// restartConfig runs the inventory alone into a file exporter, with its state in
// file_storage. {{RUN}} names the records file of one run; {{INVENTORY}} is the receiver's
// inventory block (restartTestInventory, or nothing for the defaults).
const restartConfig = `
extensions:
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage/okta
{{INVENTORY}}
    system_log:
      enabled: false
exporters:
  file/okta:
    path: {{DIR}}/records-{{RUN}}.jsonl
    flush_interval: 100ms
service:
  extensions: [file_storage/okta, health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      exporters: [file/okta]
`

// restartTestInventory enables group memberships, and its short full-sync interval lets a
// run see a second full sync.
const restartTestInventory = `    inventory:
      full_sync_interval: 4s
      incremental_interval: 1s
      resources:
        group_membership: {enabled: true}`

// fullSyncDoneLine is the log line that ends a full sync; the state of every type is written
// before it.
const fullSyncDoneLine = "Okta inventory full sync done"

// TestInventoryPersistedStateAcrossRestart stops the real collector (once with SIGTERM, once
// with kill -9) after its first full sync persisted the state; while it is down, the
// simulated org changes: a user is deleted, an app deactivated, a user added to a group, a
// policy rule changed, a zone created. The collector started again reports each of these
// (and what Okta removes or updates with them: the deleted user's memberships, assignments
// and factors, the member counts of the groups concerned) exactly once, as a change record of
// the right type with before and after values, and nothing else; its next full sync reports
// nothing again.
func TestInventoryPersistedStateAcrossRestart(t *testing.T) {
	for _, stop := range []string{"sigterm", "kill9"} {
		t.Run(stop, func(t *testing.T) {
			// Rate limits off: a full sync every 4s would otherwise wait on the simulated windows.
			sim := startSimulator(t, "--users", "60", "--groups", "10", "--apps", "8", "--events-per-sec", "0", "--rate-limits=false")
			dir := t.TempDir()
			health := freePort(t)
			run := func(n int) (*process, string) {
				cfg := render(restartConfig, map[string]string{"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "RUN": strconv.Itoa(n), "INVENTORY": restartTestInventory})
				return startCollector(t, dir, cfg, health), filepath.Join(dir, "records-"+strconv.Itoa(n)+".jsonl")
			}
			waitSyncs := func(p *process, n int) {
				t.Helper()
				if !waitFor(context.Background(), 90*time.Second, 100*time.Millisecond, func() bool {
					return strings.Count(p.out.String(), fullSyncDoneLine) >= n
				}) {
					t.Fatalf("the collector did not finish %d full sync(s)", n)
				}
			}

			coll, _ := run(1)
			waitSyncs(coll, 1)
			if stop == "sigterm" {
				coll.stop(30 * time.Second)
			} else {
				coll.kill()
			}

			before := sim.groundTruth(t)
			ch := mutateWhileStopped(t, sim, before)
			after := sim.groundTruth(t)
			want := expectedChanges(before, after, ch)

			coll, path := run(2)
			waitSyncs(coll, 2) // the first full sync after the restart and the next one
			// The exporter flushes every 100ms: wait until every expected change is in the file.
			var got map[changeKey][]record
			if !waitFor(context.Background(), 10*time.Second, 100*time.Millisecond, func() bool {
				recs, err := readRecords(path)
				if err != nil {
					return false
				}
				got = changeRecordsByKey(recs)
				for k := range want {
					if len(got[k]) == 0 {
						return false
					}
				}
				return bothSyncsWritten(recs)
			}) {
				t.Logf("changes so far: %v", keysOf(got))
			}
			for k := range want {
				if n := len(got[k]); n != 1 {
					t.Errorf("change %v reported %d times, want once", k, n)
				}
			}
			for k, recs := range got {
				if !want[k] {
					t.Errorf("unexpected change %v (%d records)", k, len(recs))
				}
				for _, r := range recs {
					if tr := r.attr("okta.change.trigger"); tr != "full_sync" {
						t.Errorf("change %v has trigger %q, want full_sync", k, tr)
					}
				}
			}
			checkValues(t, got, ch)
		})
	}
}

// changesMade names what mutateWhileStopped changed.
type changesMade struct {
	user, app, rule, ruleNameBefore, group, member, zoneName string
}

// mutateWhileStopped applies the changes of the test to the simulated org.
func mutateWhileStopped(t *testing.T, sim *simulator, gt groundTruth) changesMade {
	t.Helper()
	var ch changesMade
	for _, id := range gt.IDs["user"] {
		var u map[string]any
		sim.getJSON(t, "/_sim/resources/user/"+id, &u)
		if u["status"] == "ACTIVE" {
			ch.user = id
			break
		}
	}
	ch.app = gt.IDs["application"][0]
	for _, id := range gt.IDs["policy_rule"] {
		var r map[string]any
		sim.getJSON(t, "/_sim/resources/policy_rule/"+id, &r)
		if r["system"] != true {
			ch.rule, ch.ruleNameBefore = id, r["name"].(string)
			break
		}
	}
	members, count := map[string]bool{}, map[string]int{}
	for _, id := range gt.IDs["group_membership"] {
		members[id] = true
		g, _, _ := strings.Cut(id, "/")
		count[g]++
	}
	for _, g := range gt.IDs["group"] {
		if count[g] == len(gt.IDs["user"]) || ch.group != "" {
			continue // the built-in Everyone group
		}
		for _, u := range gt.IDs["user"] {
			if u != ch.user && !members[g+"/"+u] {
				ch.group, ch.member = g, u
				break
			}
		}
	}
	if ch.user == "" || ch.rule == "" || ch.group == "" {
		t.Fatalf("the simulated org lacks an object the test changes: %+v", ch)
	}
	ch.zoneName = "Zone created while stopped"
	sim.control(t, "DELETE", "/_sim/resources/user/"+ch.user, nil) // deactivates
	sim.control(t, "DELETE", "/_sim/resources/user/"+ch.user, nil) // deletes
	sim.control(t, "PATCH", "/_sim/resources/application/"+ch.app, map[string]any{"status": "INACTIVE"})
	sim.control(t, "POST", "/_sim/resources/group_membership", map[string]any{"groupId": ch.group, "userId": ch.member})
	sim.control(t, "PATCH", "/_sim/resources/policy_rule/"+ch.rule, map[string]any{"name": "Changed while stopped"})
	sim.control(t, "POST", "/_sim/resources/network_zone", map[string]any{
		"name": ch.zoneName, "type": "IP", "gateways": []any{map[string]any{"type": "CIDR", "value": "198.51.100.0/24"}}})
	return ch
}

type changeKey struct{ typ, id, change string }

// expectedChanges derives the changes from the ground truth before and after: what vanished
// (deleted), what appeared (created), the app and the rule (updated), and the groups whose
// members changed (their member count moves).
func expectedChanges(before, after groundTruth, ch changesMade) map[changeKey]bool {
	want := map[changeKey]bool{}
	set := func(ids []string) map[string]bool {
		m := map[string]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	for typ, ids := range before.IDs {
		a := set(after.IDs[typ])
		for _, id := range ids {
			if !a[id] {
				want[changeKey{typ, id, "deleted"}] = true
			}
		}
	}
	for typ, ids := range after.IDs {
		b := set(before.IDs[typ])
		for _, id := range ids {
			if !b[id] {
				want[changeKey{typ, id, "created"}] = true
			}
		}
	}
	want[changeKey{"application", ch.app, "updated"}] = true
	want[changeKey{"policy_rule", ch.rule, "updated"}] = true
	for k := range want {
		if k.typ == "group_membership" {
			g, _, _ := strings.Cut(k.id, "/")
			want[changeKey{"group", g, "updated"}] = true
		}
	}
	return want
}

// bothSyncsWritten reports whether the snapshots of two full syncs are complete in recs (the
// second as many as the first), so that the changes of the second one are in the file too.
func bothSyncsWritten(recs []record) bool {
	var order []string
	count := map[string]int{}
	for _, r := range recs {
		if r.EventName != "okta.inventory.snapshot" {
			continue
		}
		id := r.attr("okta.sync.id")
		if count[id] == 0 {
			order = append(order, id)
		}
		count[id]++
	}
	return len(order) >= 2 && count[order[1]] >= count[order[0]]
}

func changeRecordsByKey(recs []record) map[changeKey][]record {
	out := map[changeKey][]record{}
	for _, r := range recs {
		if r.EventName != "okta.inventory.change" {
			continue
		}
		k := changeKey{r.attr("okta.resource.type"), r.attr("okta.resource.id"), r.attr("okta.change.type")}
		out[k] = append(out[k], r)
	}
	return out
}

func keysOf(m map[changeKey][]record) []changeKey {
	out := make([]changeKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// valuesOf returns okta.change.values of r by path.
func valuesOf(r record) map[string]map[string]any {
	out := map[string]map[string]any{}
	v, ok := r.Attrs.Get("okta.change.values")
	if !ok || v.Type() != pcommon.ValueTypeSlice {
		return out
	}
	for _, e := range v.Slice().AsRaw() {
		m := e.(map[string]any)
		out[m["path"].(string)] = m
	}
	return out
}

// checkValues checks the before and after values of the changes the test made.
func checkValues(t *testing.T, got map[changeKey][]record, ch changesMade) {
	t.Helper()
	first := func(k changeKey) map[string]map[string]any {
		if len(got[k]) == 0 {
			return map[string]map[string]any{}
		}
		return valuesOf(got[k][0])
	}
	check := func(what string, vals map[string]map[string]any, path string, before, after any) {
		t.Helper()
		v := vals[path]
		if v["before"] != before || v["after"] != after {
			t.Errorf("%s %s: before %v after %v, want before %v after %v", what, path, v["before"], v["after"], before, after)
		}
	}
	check("deleted user", first(changeKey{"user", ch.user, "deleted"}), "status", "ACTIVE", nil)
	check("deactivated app", first(changeKey{"application", ch.app, "updated"}), "status", "ACTIVE", "INACTIVE")
	check("changed rule", first(changeKey{"policy_rule", ch.rule, "updated"}), "name", ch.ruleNameBefore, "Changed while stopped")
	if recs := got[changeKey{"group_membership", ch.group + "/" + ch.member, "created"}]; len(recs) > 0 {
		if _, ok := recs[0].Attrs.Get("okta.change.values"); ok {
			t.Errorf("new membership: okta.change.values set; a membership is audited by its creation alone")
		}
	}
	for k, recs := range got {
		if k.typ == "network_zone" && k.change == "created" {
			check("created zone", valuesOf(recs[0]), "name", nil, ch.zoneName)
			gw, _ := valuesOf(recs[0])["gateways"]["after"].([]any)
			if len(gw) != 1 || gw[0].(map[string]any)["value"] != "198.51.100.0/24" {
				t.Errorf("created zone: gateways after = %v", gw)
			}
		}
	}
}
