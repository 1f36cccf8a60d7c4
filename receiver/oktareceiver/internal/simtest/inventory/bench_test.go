package inventory_test

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
)

// minimumPages is the fewest requests a full sync of gt can take: for every list of the
// data contract, ceil(objects ÷ the endpoint's largest page) requests (at least one), with
// the largest pages the simulator accepts (simPageSize: Okta's documented limits), not
// the receiver's own page-size constants. Per-object lists count one request per parent:
// factors per non-deprovisioned user, users and groups per app, rules per policy, roles
// per admin principal. /.well-known/okta-organization is not a management request and is
// not counted (the simulator's stats do not count it either).
func minimumPages(b *testing.B, gt oktasim.GroundTruth, url string) int {
	b.Helper()
	page := func(path string) int { return simPageSize(b, url, path) }
	pages := func(n, size int) int {
		if n <= 0 || size <= 0 {
			return 1
		}
		return (n + size - 1) / size
	}
	users := len(gt.IDs[string(resource.User)])
	deprov := gt.Counts.UsersByStatus["DEPROVISIONED"]
	userPage := page("/api/v1/users")
	n := pages(users-deprov, userPage) + pages(deprov, userPage) // the plain list hides DEPROVISIONED users
	n += users - deprov                                          // factors of every other user
	n += pages(len(gt.IDs[string(resource.Group)]), page("/api/v1/groups"))
	n += pages(len(gt.IDs[string(resource.GroupRule)]), page("/api/v1/groups/rules"))
	apps := gt.IDs[string(resource.Application)]
	n += pages(len(apps), page("/api/v1/apps"))
	busiest, busiestGroups := apps[0], apps[0]
	for _, app := range apps {
		if gt.Counts.UsersPerApp[app] > gt.Counts.UsersPerApp[busiest] {
			busiest = app
		}
		if gt.Counts.GroupsPerApp[app] > gt.Counts.GroupsPerApp[busiestGroups] {
			busiestGroups = app
		}
	}
	appUserPage, appGroupPage := page("/api/v1/apps/"+busiest+"/users"), page("/api/v1/apps/"+busiestGroups+"/groups")
	for _, app := range apps {
		n += pages(gt.Counts.UsersPerApp[app], appUserPage) + pages(gt.Counts.GroupsPerApp[app], appGroupPage)
	}
	policyTypes := len(resource.Lookup(resource.Policy).Kinds.For(gt.Engine == "classic"))
	n += policyTypes + len(gt.IDs[string(resource.Policy)]) // one list per type, one rules list per policy
	principals := map[string]bool{}
	for _, id := range gt.IDs[string(resource.AdminRoleAssignment)] {
		p, _, _ := strings.Cut(id, "/")
		principals[p] = true
	}
	n += pages(len(principals), page("/api/v1/iam/assignees/users")) + len(principals)
	for _, l := range []struct {
		typ, path string
	}{
		{string(resource.AuthorizationServer), "/api/v1/authorizationServers"}, {string(resource.IdentityProvider), "/api/v1/idps"},
		{string(resource.TrustedOrigin), "/api/v1/trustedOrigins"}, {string(resource.LogStream), "/api/v1/logStreams"},
		{string(resource.NetworkZone), "/api/v1/zones"}, {string(resource.Feature), "/api/v1/features"}, {string(resource.UserType), "/api/v1/meta/types/user"},
		{string(resource.APIToken), "/api/v1/api-tokens"}, {string(resource.EventHook), "/api/v1/eventHooks"},
	} {
		n += pages(len(gt.IDs[l.typ]), page(l.path))
	}
	if gt.Engine != "classic" {
		n += pages(len(gt.IDs[string(resource.Authenticator)]), page("/api/v1/authenticators"))
	}
	for _, spec := range resource.All() { // the singletons: one request each
		if spec.ID == resource.OrgID || spec.ID == resource.OwnOrOrgID {
			n++
		}
	}
	return n
}

// simPageSize returns the largest page the simulator serves for the list at path: the
// number of items of a page asked with a limit above any documented maximum, when the
// list continues after it; 0 when the whole list fits in one page.
func simPageSize(b *testing.B, url, path string) int {
	b.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(http.MethodGet, url+path+sep+"limit=1000000", http.NoBody)
	require.NoError(b, err)
	req.Header.Set("Authorization", "SSWS "+oktasim.DefaultDemoToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer resp.Body.Close()
	require.Equal(b, http.StatusOK, resp.StatusCode, path)
	var body any
	require.NoError(b, json.NewDecoder(resp.Body).Decode(&body), path)
	items, next := 0, strings.Contains(strings.Join(resp.Header.Values("Link"), ","), `rel="next"`)
	switch v := body.(type) {
	case []any:
		items = len(v)
	case map[string]any: // IAM lists page in the body
		for _, x := range v {
			if list, ok := x.([]any); ok {
				items = len(list)
			}
		}
		links, _ := v["_links"].(map[string]any)
		_, next = links["next"]
	}
	if !next {
		return 0
	}
	return items
}

// heapSampler records the peak heap in use while running.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > h.peak.Load() {
				h.peak.Store(ms.HeapInuse)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

func (h *heapSampler) finish() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak.Load()
}

// BenchmarkFullSync10kUsers runs full syncs of a 10k-user org with rate limits ON at
// Okta's Workforce defaults (per-client share 0.5) and budget 0.5. The window is scaled
// from 60 s to 2 s (same per-window counts) so that a sync takes a minute, not half an
// hour. It reports, per full sync: the requests, the minimum number of pages
// (minimumPages) and their ratio, the 429s, the wall time, and per bucket the
// rate-limit floor: requests ÷ (limit in the headers × budget) × window, the least time
// the budget allows for them. A full sync lists the types one after another, so the
// buckets' floors add up: floor-s is their sum and wall/floor compares the wall time
// with it.
func BenchmarkFullSync10kUsers(b *testing.B) {
	const budget = defaultBudget
	rl := oktasim.DefaultRateLimitOptions()
	rl.Window = 2 * time.Second
	srv, url := simtest.StartSim(b, func(o *oktasim.Options) {
		o.Org.Seed, o.Org.Users, o.Org.Groups, o.Org.Apps = 11, 10000, 600, 60
		o.Platform.RateLimits = rl
	})
	gt := srv.GroundTruth()
	minimum := minimumPages(b, gt, url)
	require.NoError(b, srv.SetRateLimits(rl)) // fresh windows: the probes above must not count
	// A sink would hold every record: measure the receiver only.
	inv, _ := simInventory(b, url, oktasim.DefaultDemoToken, discardRecords)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	srv.ResetPlatformStats()
	h := startHeapSampler()
	b.ResetTimer()
	for range b.N {
		inv.FullSync(context.Background())
	}
	b.StopTimer()
	peak := h.finish()
	st := srv.PlatformStats()
	syncs := float64(b.N)
	wall := b.Elapsed().Seconds() / syncs
	b.ReportMetric(float64(st.Requests)/syncs, "requests/sync")
	b.ReportMetric(float64(minimum), "min-pages/sync")
	b.ReportMetric(float64(st.Requests)/syncs/float64(minimum), "requests/min-pages")
	b.ReportMetric(float64(st.Served429), "429s")
	b.ReportMetric(wall, "wall-s/sync")
	limits := srv.RateLimitOptions()
	total := 0.0
	for name, bs := range st.Buckets {
		perWindow, ok := limits.Buckets[name]
		if !ok {
			perWindow = limits.Endpoints[name]
		}
		limit := float64(perWindow) * limits.Share // what the headers show
		floor := float64(bs.Requests) / syncs / (limit * budget) * limits.Window.Seconds()
		b.ReportMetric(floor, name+"-floor-s")
		total += floor
	}
	b.ReportMetric(total, "floor-s")
	b.ReportMetric(wall/total, "wall/floor")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "peak-heap-above-sim-MiB")
	require.Empty(b, inv.Stats().Errors)
	require.Zero(b, st.Served429, "budget 0.5 must never be answered 429")
}

// BenchmarkFullSync100kUsersMemory measures the heap peak of a full sync of a 100k-user
// org (rate limits off: this one is about memory). The simulator runs in the same process,
// so the org's own memory is reported separately (peak-heap-above-sim-MiB is the receiver).
// The inventory state lives on the Go heap: state-heap-MiB is what it retains after the
// sync, state-B/object the same per object.
func BenchmarkFullSync100kUsersMemory(b *testing.B) {
	srv, url := simtest.StartSim(b, func(o *oktasim.Options) {
		o.Org.Seed, o.Org.Users, o.Org.Groups, o.Org.Apps = 12, 100000, 2000, 150
	})
	inv, _ := simInventory(b, url, oktasim.DefaultDemoToken, discardRecords)
	_ = srv
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	h := startHeapSampler()
	b.ResetTimer()
	for range b.N {
		inv.FullSync(context.Background())
	}
	b.StopTimer()
	peak := h.finish()
	// Retained inventory state: heap with the inventory alive minus heap once it is dropped.
	runtime.GC()
	var withState, withoutState runtime.MemStats
	runtime.ReadMemStats(&withState)
	objects := 0
	for _, typ := range allResourceTypes {
		objects += inv.Count(typ)
	}
	inv = nil
	runtime.GC()
	runtime.ReadMemStats(&withoutState)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(base.HeapInuse)/(1<<20), "sim-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "peak-heap-above-sim-MiB")
	stateHeap := withState.HeapAlloc - min(withState.HeapAlloc, withoutState.HeapAlloc)
	b.ReportMetric(float64(stateHeap)/(1<<20), "state-heap-MiB")
	b.ReportMetric(float64(stateHeap)/float64(max(objects, 1)), "state-B/object")
	b.ReportMetric(float64(objects), "objects")
}

// discardRecords makes the inventory hand its records to a consumer that drops them.
func discardRecords(p *inventory.Params) { p.Emit = emit.New(consumertest.NewNop(), nil, nil) }
