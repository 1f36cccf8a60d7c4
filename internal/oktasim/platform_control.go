package oktasim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"
)

// registerPlatformControlRoutes registers the platform's control API:
//
//	GET /_sim/faults           current faults
//	PUT /_sim/faults           replace all faults (absent fields = off)
//	DELETE /_sim/faults        clear all faults
//	GET /_sim/ratelimits       current rate-limit settings
//	PUT /_sim/ratelimits       change the fields present (buckets merge by name)
//	GET /_sim/stats            counters (PlatformStats)
//	DELETE|POST /_sim/stats    reset the counters
//	GET /_sim/requests         recorded requests (RequestLog; ?since=SEQ for newer ones)
//	DELETE /_sim/requests      forget the recorded requests
func (s *Server) registerPlatformControlRoutes(mux *http.ServeMux) {
	p := s.platform
	mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		f, _ := p.faults.get()
		writeJSON(w, http.StatusOK, f.toJSON())
	})
	mux.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var body faultsJSON
		if !decodePlatformBody(w, r, &body) {
			return
		}
		f, err := body.fromJSON(p.now())
		if err == nil {
			err = p.faults.set(f)
		}
		if err != nil {
			platformControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, f.toJSON())
	})
	mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, _ *http.Request) {
		_ = p.faults.set(FaultOptions{})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_sim/ratelimits", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, rateLimitsToJSON(p.limiter.options()))
	})
	mux.HandleFunc("PUT /_sim/ratelimits", func(w http.ResponseWriter, r *http.Request) {
		var body rateLimitsPatch
		if !decodePlatformBody(w, r, &body) {
			return
		}
		opts, err := body.apply(p.limiter.options())
		if err == nil {
			err = p.limiter.update(opts, body.ResetWindows)
		}
		if err != nil {
			platformControlError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rateLimitsToJSON(p.limiter.options()))
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, p.stats.snapshot())
	})
	reset := func(w http.ResponseWriter, _ *http.Request) {
		p.stats.reset()
		w.WriteHeader(http.StatusNoContent)
	}
	mux.HandleFunc("DELETE /_sim/stats", reset)
	mux.HandleFunc("POST /_sim/stats", reset)
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		var since int64
		if v := r.URL.Query().Get("since"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				platformControlError(w, fmt.Errorf("parameter since: %q is not a sequence number", v))
				return
			}
			since = n
		}
		writeJSON(w, http.StatusOK, p.requests.snapshot(since))
	})
	mux.HandleFunc("DELETE /_sim/requests", func(w http.ResponseWriter, _ *http.Request) {
		p.requests.reset()
		w.WriteHeader(http.StatusNoContent)
	})
}

// decodePlatformBody decodes a JSON body strictly (unknown fields are an
// error naming the field) and answers 400 itself on failure.
func decodePlatformBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		platformControlError(w, fmt.Errorf("request body: %w", err))
		return false
	}
	return true
}

func platformControlError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

// rateLimitsJSON is the wire form of RateLimitOptions.
type rateLimitsJSON struct {
	Enabled      bool               `json:"enabled"`
	Window       string             `json:"window"`
	Share        float64            `json:"share"`
	Concurrency  int                `json:"concurrency"`
	Buckets      map[string]int     `json:"buckets"`
	Endpoints    map[string]int     `json:"endpoints"`
	OtherClients map[string]float64 `json:"otherClients"`
}

func rateLimitsToJSON(o RateLimitOptions) rateLimitsJSON {
	return rateLimitsJSON{Enabled: o.Enabled, Window: o.Window.String(), Share: o.Share, Concurrency: o.Concurrency,
		Buckets: o.Buckets, Endpoints: nonNil(o.Endpoints), OtherClients: nonNil(o.OtherClients)}
}

func nonNil[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// rateLimitsPatch is the body of PUT /_sim/ratelimits: only present fields
// change; buckets, endpoints and otherClients merge by key, and a 0 in endpoints or
// otherClients removes that entry; resetWindows forgets every window (fresh capacity
// everywhere).
type rateLimitsPatch struct {
	Enabled      *bool              `json:"enabled"`
	Window       *string            `json:"window"`
	Share        *float64           `json:"share"`
	Concurrency  *int               `json:"concurrency"`
	Buckets      map[string]int     `json:"buckets"`
	Endpoints    map[string]int     `json:"endpoints"`
	OtherClients map[string]float64 `json:"otherClients"`
	ResetWindows bool               `json:"resetWindows"`
}

func (p rateLimitsPatch) apply(o RateLimitOptions) (RateLimitOptions, error) {
	o.Endpoints = mergeDeletingZero(o.Endpoints, p.Endpoints)
	o.OtherClients = mergeDeletingZero(o.OtherClients, p.OtherClients)
	o.Buckets = maps.Clone(o.Buckets)
	if p.Enabled != nil {
		o.Enabled = *p.Enabled
	}
	if p.Window != nil {
		d, err := time.ParseDuration(*p.Window)
		if err != nil {
			return o, fmt.Errorf("field window: %q is not a duration like \"60s\"", *p.Window)
		}
		o.Window = d
	}
	if p.Share != nil {
		o.Share = *p.Share
	}
	if p.Concurrency != nil {
		o.Concurrency = *p.Concurrency
	}
	if o.Buckets == nil {
		o.Buckets = map[string]int{}
	}
	maps.Copy(o.Buckets, p.Buckets)
	return o, o.validate()
}

// mergeDeletingZero returns base with patch applied: zero values delete their key.
func mergeDeletingZero[V int | float64](base, patch map[string]V) map[string]V {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]V{}
	}
	for k, v := range patch {
		if v == 0 {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// Requests returns the recorded requests with Seq > since (same as GET /_sim/requests).
func (s *Server) Requests(since int64) RequestLog { return s.platform.requests.snapshot(since) }

// PlatformStats returns the platform counters (same as GET /_sim/stats).
func (s *Server) PlatformStats() PlatformStats { return s.platform.stats.snapshot() }

// ResetPlatformStats zeroes the platform counters.
func (s *Server) ResetPlatformStats() { s.platform.stats.reset() }

// SetFaults replaces the injected faults (same as PUT /_sim/faults).
func (s *Server) SetFaults(f FaultOptions) error {
	if err := s.platform.faults.set(f); err != nil {
		return fmt.Errorf("set faults: %w", err)
	}
	return nil
}

// RateLimitOptions returns the current rate-limit settings (same as GET /_sim/ratelimits):
// Buckets holds the limit of every org-wide bucket, Endpoints the endpoint-specific ones.
func (s *Server) RateLimitOptions() RateLimitOptions { return s.platform.limiter.options() }

// SetRateLimits replaces the rate-limit settings and forgets every window.
func (s *Server) SetRateLimits(o RateLimitOptions) error {
	if err := s.platform.limiter.update(o, true); err != nil {
		return fmt.Errorf("set rate limits: %w", err)
	}
	return nil
}
