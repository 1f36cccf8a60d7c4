package oktasim

import (
	"maps"
	"sync"
	"time"
)

// PlatformStats counts what the platform middleware saw and did since start
// or the last reset. It is the body of GET /_sim/stats; tests and benchmarks
// of the receiver read it.
type PlatformStats struct {
	// Since is when counting started (start or last reset).
	Since time.Time `json:"since"`
	// Requests counts every request to a management path or the token endpoint.
	Requests int64 `json:"requests"`
	// Buckets counts requests and 429s per rate-limit bucket.
	Buckets map[string]BucketStats `json:"buckets"`
	// Paths counts requests per "METHOD /path/{id}/template".
	Paths map[string]int64 `json:"paths"`
	// RateLimited counts 429s from exhausted buckets; OtherClients429 those of
	// them where the org bucket was empty but the client's own share was not
	// (other clients spent it). Concurrency429 counts 429s from the
	// concurrency cap, Headerless429 injected 429s without rate-limit headers,
	// Storm429 injected 429 storms.
	RateLimited     int64 `json:"rateLimited"`
	OtherClients429 int64 `json:"otherClients429"`
	Concurrency429  int64 `json:"concurrency429"`
	Headerless429   int64 `json:"headerless429"`
	Storm429        int64 `json:"storm429"`
	// OtherClientRequests counts the requests the simulated other clients spent.
	OtherClientRequests int64 `json:"otherClientRequests"`
	// Served429 is the sum of all 429s.
	Served429 int64 `json:"served429"`
	// Injected5xx, Truncated, Resets, Delayed and Paused count injected faults.
	Injected5xx int64 `json:"injected5xx"`
	Truncated   int64 `json:"truncated"`
	Resets      int64 `json:"resets"`
	Delayed     int64 `json:"delayed"`
	Paused      int64 `json:"paused"`
	// DPoPNonceChallenges counts use_dpop_nonce answers: the token endpoint's 400s
	// (counted in TokenErrors too) and the resource server's 401s (in Unauthorized).
	DPoPNonceChallenges int64 `json:"dpopNonceChallenges"`
	// Unauthorized counts 401s, Forbidden 403s (scope or role).
	Unauthorized int64 `json:"unauthorized"`
	Forbidden    int64 `json:"forbidden"`
	// TokensIssued counts access tokens minted by /oauth2/v1/token,
	// TokenErrors refused token requests.
	TokensIssued int64 `json:"tokensIssued"`
	TokenErrors  int64 `json:"tokenErrors"`
	// InFlight is the number of management requests being served now;
	// PeakInFlight the highest seen.
	InFlight     int64 `json:"inFlight"`
	PeakInFlight int64 `json:"peakInFlight"`
}

// BucketStats counts one rate-limit bucket.
type BucketStats struct {
	Requests int64 `json:"requests"`
	Limited  int64 `json:"limited"`
	// PeakWindow is the most requests one client was granted in one window.
	PeakWindow int64 `json:"peakWindow"`
}

// statsRecorder is the concurrency-safe owner of a PlatformStats.
type statsRecorder struct {
	mu sync.Mutex
	s  PlatformStats
}

func newStatsRecorder() *statsRecorder {
	r := &statsRecorder{}
	r.reset()
	return r
}

func (r *statsRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	inFlight, peak := r.s.InFlight, r.s.InFlight
	r.s = PlatformStats{Since: time.Now().UTC(), Buckets: map[string]BucketStats{}, Paths: map[string]int64{},
		InFlight: inFlight, PeakInFlight: peak}
}

// do runs f with the stats locked.
func (r *statsRecorder) do(f func(s *PlatformStats)) {
	r.mu.Lock()
	f(&r.s)
	r.mu.Unlock()
}

// request counts one request of bucket ("" for the token endpoint) and class.
func (r *statsRecorder) request(bucket, class string) {
	r.do(func(s *PlatformStats) {
		s.Requests++
		s.Paths[class]++
		if bucket != "" {
			b := s.Buckets[bucket]
			b.Requests++
			s.Buckets[bucket] = b
		}
	})
}

// limited counts a 429 in bucket; which points at the kind counter.
func (r *statsRecorder) limited(bucket string, which func(s *PlatformStats) *int64) {
	r.do(func(s *PlatformStats) {
		*which(s)++
		s.Served429++
		if bucket != "" {
			b := s.Buckets[bucket]
			b.Limited++
			s.Buckets[bucket] = b
		}
	})
}

// windowUse records that a client has been granted used requests in its current window
// of bucket.
func (r *statsRecorder) windowUse(bucket string, used int) {
	if bucket == "" || used <= 0 {
		return
	}
	r.do(func(s *PlatformStats) {
		b := s.Buckets[bucket]
		b.PeakWindow = max(b.PeakWindow, int64(used))
		s.Buckets[bucket] = b
	})
}

func (r *statsRecorder) inFlight(delta int64) {
	r.do(func(s *PlatformStats) {
		s.InFlight += delta
		s.PeakInFlight = max(s.PeakInFlight, s.InFlight)
	})
}

// snapshot returns a deep copy.
func (r *statsRecorder) snapshot() PlatformStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.s
	s.Buckets = maps.Clone(r.s.Buckets)
	s.Paths = maps.Clone(r.s.Paths)
	return s
}
