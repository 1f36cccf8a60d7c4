package oktasim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// FaultOptions are the faults injected into management requests
// (/api/v1/*, /oauth2/*, never /_sim/*). Rates are shares in [0, 1] drawn
// per request.
type FaultOptions struct {
	// PathPrefix limits faults to paths starting with it ("/api/v1/logs");
	// empty means every path faults apply to.
	PathPrefix string
	// ErrorRate is the share answered 500 E0000009 (with an errorId).
	ErrorRate float64
	// Latency is added to every request; LatencyJitter adds a uniform
	// random 0..LatencyJitter on top.
	Latency, LatencyJitter time.Duration
	// TruncateRate is the share of 200 responses whose body is cut in the
	// middle (status stays 200, Content-Length matches the cut body).
	TruncateRate float64
	// StormRate is the share answered 429 E0000047 (a "429 storm").
	StormRate float64
	// StormUntil, when in the future, answers every request 429 until then,
	// with X-Rate-Limit-Reset at StormUntil.
	StormUntil time.Time
	// ResetRate is the share whose TCP connection is closed without a response.
	ResetRate float64
	// Paused holds requests until unpaused, until PauseUntil (if set), or
	// until the client gives up.
	Paused     bool
	PauseUntil time.Time
	// Reset429 makes the 429s of exhausted buckets announce an X-Rate-Limit-Reset
	// other than the window's end: ResetEarly (half a window before it, maybe already
	// past), ResetLate (half a window after it) or ResetMixed (either, at random).
	Reset429 string
	// HeaderlessRate is the share answered 429 E0000047 without any X-Rate-Limit-*
	// header, as Okta's concurrency limit may answer.
	HeaderlessRate float64
	// ClockSkew shifts the simulator's clock as its answers show it: the Date header and
	// every X-Rate-Limit-Reset (which stays consistent with Date). Okta's servers are not
	// the client's clock.
	ClockSkew time.Duration
}

// Reset429 modes.
const (
	ResetEarly = "early"
	ResetLate  = "late"
	ResetMixed = "mixed"
)

func (f *FaultOptions) validate() error {
	var errs []error
	for _, r := range []struct {
		name string
		v    float64
	}{{"errorRate", f.ErrorRate}, {"truncateRate", f.TruncateRate}, {"stormRate", f.StormRate}, {"resetRate", f.ResetRate}, {"headerlessRate", f.HeaderlessRate}} {
		if r.v < 0 || r.v > 1 || math.IsNaN(r.v) {
			errs = append(errs, fmt.Errorf("fault %s %v: want a share in [0, 1]", r.name, r.v))
		}
	}
	if f.Latency < 0 || f.LatencyJitter < 0 {
		errs = append(errs, fmt.Errorf("fault latency %s + jitter %s: must not be negative", f.Latency, f.LatencyJitter))
	}
	switch f.Reset429 {
	case "", ResetEarly, ResetLate, ResetMixed:
	default:
		errs = append(errs, fmt.Errorf("fault reset429 %q: want %q, %q or %q", f.Reset429, ResetEarly, ResetLate, ResetMixed))
	}
	if f.ClockSkew.Abs() > 24*time.Hour {
		errs = append(errs, fmt.Errorf("fault clockSkew %s: at most 24h either way", f.ClockSkew))
	}
	if f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/") {
		errs = append(errs, fmt.Errorf("fault pathPrefix %q: must start with /", f.PathPrefix))
	}
	return errors.Join(errs...)
}

// faultsJSON is the wire form of FaultOptions for /_sim/faults. Durations are
// Go duration strings ("250ms"); stormFor and pauseFor are relative to the
// time of the PUT and become stormUntil and pauseUntil.
type faultsJSON struct {
	PathPrefix     string  `json:"pathPrefix"`
	ErrorRate      float64 `json:"errorRate"`
	Latency        string  `json:"latency,omitempty"`
	LatencyJitter  string  `json:"latencyJitter,omitempty"`
	TruncateRate   float64 `json:"truncateRate"`
	StormRate      float64 `json:"stormRate"`
	StormFor       string  `json:"stormFor,omitempty"`
	StormUntil     string  `json:"stormUntil,omitempty"`
	ResetRate      float64 `json:"resetRate"`
	Paused         bool    `json:"paused"`
	PauseFor       string  `json:"pauseFor,omitempty"`
	PauseUntil     string  `json:"pauseUntil,omitempty"`
	Reset429       string  `json:"reset429,omitempty"`
	HeaderlessRate float64 `json:"headerlessRate"`
	ClockSkew      string  `json:"clockSkew,omitempty"`
}

// toJSON renders f for GET /_sim/faults.
func (f FaultOptions) toJSON() faultsJSON {
	j := faultsJSON{
		PathPrefix: f.PathPrefix, ErrorRate: f.ErrorRate, TruncateRate: f.TruncateRate,
		StormRate: f.StormRate, ResetRate: f.ResetRate, Paused: f.Paused,
		Latency: f.Latency.String(), LatencyJitter: f.LatencyJitter.String(),
		Reset429: f.Reset429, HeaderlessRate: f.HeaderlessRate, ClockSkew: f.ClockSkew.String(),
	}
	if !f.StormUntil.IsZero() {
		j.StormUntil = f.StormUntil.UTC().Format(time.RFC3339Nano)
	}
	if !f.PauseUntil.IsZero() {
		j.PauseUntil = f.PauseUntil.UTC().Format(time.RFC3339Nano)
	}
	return j
}

// fromJSON parses the body of PUT /_sim/faults at now.
func (j faultsJSON) fromJSON(now time.Time) (FaultOptions, error) {
	f := FaultOptions{
		PathPrefix: j.PathPrefix, ErrorRate: j.ErrorRate, TruncateRate: j.TruncateRate,
		StormRate: j.StormRate, ResetRate: j.ResetRate, Paused: j.Paused,
		Reset429: j.Reset429, HeaderlessRate: j.HeaderlessRate,
	}
	var err error
	if f.ClockSkew, err = parseOptionalDuration("clockSkew", j.ClockSkew); err != nil {
		return f, err
	}
	if f.Latency, err = parseOptionalDuration("latency", j.Latency); err != nil {
		return f, err
	}
	if f.LatencyJitter, err = parseOptionalDuration("latencyJitter", j.LatencyJitter); err != nil {
		return f, err
	}
	if f.StormUntil, err = untilFrom("storm", j.StormFor, j.StormUntil, now); err != nil {
		return f, err
	}
	if f.PauseUntil, err = untilFrom("pause", j.PauseFor, j.PauseUntil, now); err != nil {
		return f, err
	}
	if j.PauseFor != "" {
		f.Paused = true
	}
	return f, f.validate()
}

func parseOptionalDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("field %s: %q is not a duration like \"250ms\"", field, s)
	}
	return d, nil
}

// untilFrom turns "<name>For" (relative) or "<name>Until" (RFC 3339) into a deadline.
func untilFrom(name, forStr, untilStr string, now time.Time) (time.Time, error) {
	if forStr != "" && untilStr != "" {
		return time.Time{}, fmt.Errorf("fields %sFor and %sUntil: give one, not both", name, name)
	}
	if forStr != "" {
		d, err := parseOptionalDuration(name+"For", forStr)
		if err != nil {
			return time.Time{}, err
		}
		if d <= 0 {
			return time.Time{}, fmt.Errorf("field %sFor: %q must be positive", name, forStr)
		}
		return now.Add(d), nil
	}
	if untilStr != "" {
		t, err := time.Parse(time.RFC3339Nano, untilStr)
		if err != nil {
			return time.Time{}, fmt.Errorf("field %sUntil: %q is not an RFC 3339 time", name, untilStr)
		}
		return t, nil
	}
	return time.Time{}, nil
}

// faultState is the live fault configuration plus the channel that paused
// requests wait on.
type faultState struct {
	mu       sync.Mutex
	opts     FaultOptions
	released chan struct{} // closed whenever the configuration changes
	rng      *rand.Rand
}

func newFaultState(opts FaultOptions) *faultState {
	return &faultState{opts: opts, released: make(chan struct{}), rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

// get returns the current faults and the channel closed on the next change.
func (s *faultState) get() (FaultOptions, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts, s.released
}

// set replaces the faults and releases every paused request so that it
// re-reads them.
func (s *faultState) set(opts FaultOptions) error {
	if err := opts.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = opts
	close(s.released)
	s.released = make(chan struct{})
	return nil
}

// roll draws one uniform number in [0, 1).
func (s *faultState) roll() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}

// jitter draws a uniform duration in [0, d].
func (s *faultState) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.rng.Int64N(int64(d) + 1))
}

// applies reports whether faults apply to path.
func (f *FaultOptions) applies(path string) bool {
	if !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/oauth2/") &&
		!managementPath(path) {
		return false
	}
	return f.PathPrefix == "" || strings.HasPrefix(path, f.PathPrefix)
}
