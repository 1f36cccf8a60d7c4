package oktasim

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkPlatformWrap measures the middleware's own cost per management
// request (SSWS auth, bucket lookup, rate-limit accounting, stats) around a
// trivial handler, without the network.
func BenchmarkPlatformWrap(b *testing.B) {
	for _, limits := range []bool{true, false} {
		name := "rate-limits-on"
		if !limits {
			name = "rate-limits-off"
		}
		b.Run(name, func(b *testing.B) {
			opts := DefaultPlatformOptions()
			opts.RateLimits.Enabled = limits
			opts.RateLimits.Buckets = map[string]int{BucketUsers: 1 << 30}
			p, err := newPlatform(opts, time.Now)
			if err != nil {
				b.Fatal(err)
			}
			h := p.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
			req := httptest.NewRequest(http.MethodGet, "/api/v1/users?limit=200", nil)
			req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkPlatformHTTP measures requests per second through the middleware
// over loopback HTTP with rate limits off (the throughput-benchmark setting).
func BenchmarkPlatformHTTP(b *testing.B) {
	opts := testPlatformOptions(b)
	opts.RateLimits.Enabled = false
	h := newPlatformHarness(b, opts)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	req, _ := http.NewRequest(http.MethodGet, h.url+"/api/v1/users", nil)
	req.Header.Set("Authorization", "SSWS "+DefaultDemoToken)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
