package oktareceiver

import (
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
)

func statusClass(code int) metadata.AttributeOktaAPIStatusClass {
	switch code / 100 {
	case 1:
		return metadata.AttributeOktaAPIStatusClass1xx
	case 2:
		return metadata.AttributeOktaAPIStatusClass2xx
	case 3:
		return metadata.AttributeOktaAPIStatusClass3xx
	case 4:
		return metadata.AttributeOktaAPIStatusClass4xx
	case 5:
		return metadata.AttributeOktaAPIStatusClass5xx
	}
	return metadata.AttributeOktaAPIStatusClassError
}

// bucketSnapshot is the state of one learned bucket as exposed to the metrics scraper.
type bucketSnapshot struct {
	Bucket      string
	Known       bool
	Limit       int64
	Remaining   int64
	Requests    map[metadata.AttributeOktaAPIStatusClass]int64
	Throttled   int64
	WaitSeconds float64
}

// snapshot copies the state of every bucket name seen so far.
func (r *rateLimiter) snapshot() []bucketSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	live := map[string]*learnedBucket{}
	for b := range r.buckets {
		live[b.name] = b
	}
	out := make([]bucketSnapshot, 0, len(r.counters))
	for name, c := range r.counters {
		req := make(map[metadata.AttributeOktaAPIStatusClass]int64, len(c.requests))
		for k, v := range c.requests {
			req[k] = v
		}
		s := bucketSnapshot{Bucket: name, Requests: req, Throttled: c.throttled, WaitSeconds: c.waited.Seconds()}
		if b := live[name]; b != nil && b.known {
			s.Known, s.Limit, s.Remaining = true, b.limit, b.remaining
		}
		out = append(out, s)
	}
	return out
}
