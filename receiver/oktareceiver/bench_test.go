package oktareceiver

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

// minimumRequests is the fewest requests a full sync of gt can take with Okta's page
// sizes: one search for all users, one request per non-deprovisioned user's factors, one
// page per 10000 groups, per 500 app users / 200 app groups of each app, one request per
// policy type of the engine and per policy's rules, the IAM assignee pages plus one role
// request per principal, and one request for each small list and singleton.
func minimumRequests(gt oktasim.GroundTruth) int {
	ceil := func(n, size int) int {
		if n <= 0 {
			return 1
		}
		return (n + size - 1) / size
	}
	users := len(gt.IDs[resUser])
	deprov := gt.Counts.UsersByStatus["DEPROVISIONED"]
	n := ceil(users, pageUsers) + (users - deprov) // users + factors
	n += ceil(len(gt.IDs[resGroup]), pageGroups) + ceil(len(gt.IDs[resGroupRule]), pageGroupRules)
	n += ceil(len(gt.IDs[resApplication]), pageApps)
	for _, app := range gt.IDs[resApplication] {
		n += ceil(gt.Counts.UsersPerApp[app], pageAppUsers) + ceil(gt.Counts.GroupsPerApp[app], pageAppGroups)
	}
	policyTypes := len(classicPolicyTypes)
	if gt.Engine != "classic" {
		policyTypes += len(oiePolicyTypes)
	}
	n += policyTypes + len(gt.IDs[resPolicy])
	principals := map[string]bool{}
	for _, id := range gt.IDs[resAdminRoleAssignment] {
		p, _, _ := strings.Cut(id, "/")
		principals[p] = true
	}
	n += ceil(len(principals), pageIAMAssignee) + len(principals)
	n += len(simpleLists) - 4 + ceil(len(gt.IDs[resAuthorizationServer]), pageAuthServers) +
		ceil(len(gt.IDs[resIdentityProvider]), pageIDPs) + ceil(len(gt.IDs[resTrustedOrigin]), pageOrigins) +
		ceil(len(gt.IDs[resLogStream]), pageLogStreams)
	n += len(singletons) + 1 // + /.well-known/okta-organization
	return n
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
// from 60 s to 2 s (same per-window counts) so that a sync takes seconds, not half an hour.
func BenchmarkFullSync10kUsers(b *testing.B) {
	srv, url := startInvSim(b, func(o *oktasim.Options) {
		o.Org.Seed, o.Org.Users, o.Org.Groups, o.Org.Apps = 11, 10000, 600, 60
		o.Platform.RateLimits = oktasim.DefaultRateLimitOptions()
		o.Platform.RateLimits.Window = 2 * time.Second
	})
	gt := srv.GroundTruth()
	minimum := minimumRequests(gt)
	inv, _ := simInventory(b, url, oktasim.DefaultDemoToken, nil)
	inv.p.next = consumertest.NewNop() // a sink would hold every record: measure the receiver only
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	srv.ResetPlatformStats()
	h := startHeapSampler()
	b.ResetTimer()
	for range b.N {
		inv.fullSync(context.Background())
	}
	b.StopTimer()
	peak := h.finish()
	st := srv.PlatformStats()
	b.ReportMetric(float64(st.Requests)/float64(b.N), "requests/sync")
	b.ReportMetric(float64(minimum), "min-requests/sync")
	b.ReportMetric(float64(st.Requests)/float64(b.N)/float64(minimum), "requests/min")
	b.ReportMetric(float64(st.Served429), "429s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "peak-heap-above-sim-MiB")
	require.Empty(b, inv.stats().errors)
}

// BenchmarkFullSync100kUsersMemory measures the heap peak of a full sync of a 100k-user
// org (rate limits off: this one is about memory). The simulator runs in the same process,
// so the org's own memory is reported separately (peak-heap-above-sim-MiB is the receiver).
// The inventory state lives on the Go heap: state-heap-MiB is what it retains after the
// sync, state-B/object the same per object.
func BenchmarkFullSync100kUsersMemory(b *testing.B) {
	srv, url := startInvSim(b, func(o *oktasim.Options) {
		o.Org.Seed, o.Org.Users, o.Org.Groups, o.Org.Apps = 12, 100000, 2000, 150
	})
	inv, _ := simInventory(b, url, oktasim.DefaultDemoToken, nil)
	inv.p.next = consumertest.NewNop()
	_ = srv
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	h := startHeapSampler()
	b.ResetTimer()
	for range b.N {
		inv.fullSync(context.Background())
	}
	b.StopTimer()
	peak := h.finish()
	// Retained inventory state: heap with the inventory alive minus heap once it is dropped.
	runtime.GC()
	var withState, withoutState runtime.MemStats
	runtime.ReadMemStats(&withState)
	objects := 0
	for _, typ := range allResourceTypes {
		objects += inv.state.count(typ)
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
