package oktasim

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// platform is what wraps every request: request ids and Date, faults,
// the concurrency limit, authentication, rate limits, scopes and roles.
type platform struct {
	opts          PlatformOptions
	apiTokens     map[string]*principal // SSWS token value → caller
	clientKey     *rsa.PublicKey        // nil: OAuth disabled
	grantedScopes map[string]bool
	tokens        *tokenStore
	limiter       *rateLimiter
	faults        *faultState
	stats         *statsRecorder
	requests      *requestLog      // nil: recording off
	now           func() time.Time // the simulator's wall clock
}

// newPlatform validates opts and builds the middleware state. When
// opts.OAuth.GenerateKeyFile is set and no public key is given, it writes a
// fresh key pair there.
func newPlatform(opts PlatformOptions, clock func() time.Time) (*platform, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p := &platform{
		opts:      opts,
		apiTokens: map[string]*principal{},
		tokens:    newTokenStore(clock),
		limiter:   newRateLimiter(opts.RateLimits),
		faults:    newFaultState(opts.Faults),
		stats:     newStatsRecorder(),
		requests:  newRequestLog(opts.RecordRequests),
		now:       clock,
	}
	if opts.Token != "" {
		p.apiTokens[opts.Token] = &principal{client: "token-default", role: opts.AdminRole}
	}
	for i, t := range opts.Tokens {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("token-%d", i+1)
		}
		p.apiTokens[t.Value] = &principal{client: name, role: t.Role}
	}
	key, err := opts.OAuth.resolveClientKey()
	if err != nil {
		return nil, err
	}
	p.clientKey = key
	p.grantedScopes = map[string]bool{}
	granted := opts.OAuth.GrantedScopes
	if len(granted) == 0 {
		granted = knownScopes
	}
	for _, s := range granted {
		p.grantedScopes[s] = true
	}
	return p, nil
}

// wrap returns h wrapped in the platform middleware. Every response gets
// Date and X-Okta-Request-Id. Management paths (/api/v1/*, /oauth2/v1/clients,
// ...) additionally get, in this order: the concurrency limit, faults,
// authentication, the rate limit (X-Rate-Limit-* on every response, 429
// E0000047 when exhausted), scopes and the admin role. The token endpoint
// gets faults only; /_sim/* and /.well-known/* get neither. With
// RecordRequests, every management and token request is recorded.
func (p *platform) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setDate(w, p.headerClock())
		w.Header().Set("X-Okta-Request-Id", randomToken(27))
		path := r.URL.Path
		mgmt := managementPath(path)
		if !mgmt && !strings.HasPrefix(path, "/oauth2/") {
			h.ServeHTTP(w, r)
			return
		}
		bucket := ""
		if mgmt {
			bucket = p.limiter.bucketOf(r.Method, path)
		}
		tpl := pathTemplate(path)
		p.stats.request(bucket, r.Method+" "+tpl)
		var rec *RequestRecord
		if p.requests != nil {
			rec = &RequestRecord{At: p.headerClock(), Method: r.Method, Template: tpl, Bucket: bucket, Client: p.clientOf(r)}
			rw := &recordingWriter{ResponseWriter: w}
			w = rw
			defer p.finishRecord(rec, rw) // deferred first: runs after every other deferred write
		}
		if mgmt {
			// Injected latency and pauses count as in flight, as a slow org would.
			if !p.enterConcurrency(w, bucket, rec) {
				return
			}
			defer p.leaveConcurrency()
		}

		w, finish, served := p.injectFaults(w, r, bucket, rec)
		if served {
			return
		}
		defer finish()
		if !mgmt {
			h.ServeHTTP(w, r)
			return
		}
		p.serveManagement(w, r, h, bucket, rec)
	})
}

// headerClock is the simulator's clock as its answers show it: the wall clock shifted
// by the ClockSkew fault. Date and X-Rate-Limit-Reset are on this clock.
func (p *platform) headerClock() time.Time {
	f, _ := p.faults.get()
	return p.now().Add(f.ClockSkew)
}

// setRateHeaders writes the X-Rate-Limit-* headers with reset (on the wall clock)
// moved to the header clock.
func (p *platform) setRateHeaders(h http.Header, limit, remaining int, reset time.Time) {
	f, _ := p.faults.get()
	setRateHeaders(h, limit, remaining, reset.Add(f.ClockSkew))
}

// enterConcurrency admits a management request under the concurrency cap,
// or answers 429 itself. An admitted request must call leaveConcurrency.
func (p *platform) enterConcurrency(w http.ResponseWriter, bucket string, rec *RequestRecord) bool {
	if _, ok := p.limiter.enter(); !ok {
		// Okta: on a concurrency 429 Limit and Remaining are 0 and Reset is an estimate.
		p.setRateHeaders(w.Header(), 0, 0, p.now().Add(time.Second))
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.Concurrency429 })
		rec.setCause(CauseConcurrency)
		writeTooManyRequests(w)
		return false
	}
	p.stats.inFlight(1)
	return true
}

func (p *platform) leaveConcurrency() {
	p.limiter.leave()
	p.stats.inFlight(-1)
}

// serveManagement applies authentication, the rate limit, scopes and the
// role to an admitted management request, then calls h.
func (p *platform) serveManagement(w http.ResponseWriter, r *http.Request, h http.Handler, bucket string, rec *RequestRecord) {
	now := p.now()
	setDate(w, p.headerClock())
	caller, failure := p.authenticate(r, now)
	client := "unauthenticated"
	if caller != nil {
		client = caller.client
		rec.setClient(client)
	}
	d := p.limiter.take(bucket, client, now)
	if d.others > 0 {
		p.stats.do(func(s *PlatformStats) { s.OtherClientRequests += int64(d.others) })
	}
	if !d.allowed {
		f, _ := p.faults.get()
		p.setRateHeaders(w.Header(), d.limit, d.remaining, p.limiter.earlyOrLateReset(f.Reset429, d.reset))
		cause := CauseRateLimit
		if d.byOthers {
			cause = CauseOtherClients
			p.stats.do(func(s *PlatformStats) { s.OtherClients429++ })
		}
		rec.setCause(cause)
		if rec != nil {
			rec.WindowReset = epochCeil(d.reset.Add(f.ClockSkew))
		}
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.RateLimited })
		writeTooManyRequests(w)
		return
	}
	p.setRateHeaders(w.Header(), d.limit, d.remaining, d.reset)
	p.stats.windowUse(bucket, d.used)
	if failure == nil {
		failure = authorize(r, caller)
	}
	if failure != nil {
		p.stats.do(func(s *PlatformStats) {
			if failure.status == http.StatusUnauthorized {
				s.Unauthorized++
			} else {
				s.Forbidden++
			}
		})
		failure.write(w)
		return
	}
	h.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), caller)))
}

func (rec *RequestRecord) setCause(cause string) {
	if rec != nil {
		rec.Cause = cause
	}
}

func (rec *RequestRecord) setClient(client string) {
	if rec != nil {
		rec.Client = client
	}
}

// setDate sets the Date header in RFC 1123 GMT form, which okta-sdk-golang
// needs (with X-Rate-Limit-Reset) to compute its 429 back-off.
func setDate(w http.ResponseWriter, now time.Time) {
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
}

const summaryTooMany = "API call exceeded rate limit due to too many requests."

func writeTooManyRequests(w http.ResponseWriter) {
	writeOktaError(w, http.StatusTooManyRequests, "E0000047", summaryTooMany)
}
