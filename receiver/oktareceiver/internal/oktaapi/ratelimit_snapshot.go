package oktaapi

// statusClass is the okta.api.status_class of an answer: "1xx" to "5xx".
func statusClass(code int) string {
	switch code / 100 {
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return classError
}

// classError is the status class of a request that got no answer.
const classError = "error"

// BucketStats is the state of one learned rate-limit bucket, for the metrics.
type BucketStats struct {
	// Bucket names the bucket: the first endpoint template seen in it.
	Bucket string
	// Known: Limit and Remaining come from an answer.
	Known     bool
	Limit     int64
	Remaining int64
	// Requests counts the answers by status class ("2xx", ...; "error": no answer).
	Requests map[string]int64
	// Throttled counts the 429 answers.
	Throttled int64
	// WaitSeconds is the time requests waited for the bucket's budget.
	WaitSeconds float64
}

// snapshot copies the state of every bucket name seen so far.
func (r *rateLimiter) snapshot() []BucketStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	live := map[string]*learnedBucket{}
	for b := range r.buckets {
		live[b.name] = b
	}
	out := make([]BucketStats, 0, len(r.counters))
	for name, c := range r.counters {
		req := make(map[string]int64, len(c.requests))
		for k, v := range c.requests {
			req[k] = v
		}
		s := BucketStats{Bucket: name, Requests: req, Throttled: c.throttled, WaitSeconds: c.waited.Seconds()}
		if b := live[name]; b != nil && b.known {
			s.Known, s.Limit, s.Remaining = true, b.limit, b.remaining
		}
		out = append(out, s)
	}
	return out
}
