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
// gets faults only; /_sim/* and /.well-known/* get neither.
func (p *platform) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setDate(w, p.now())
		w.Header().Set("X-Okta-Request-Id", randomToken(27))
		path := r.URL.Path
		mgmt := managementPath(path)
		if !mgmt && !strings.HasPrefix(path, "/oauth2/") {
			h.ServeHTTP(w, r)
			return
		}
		bucket := ""
		if mgmt {
			bucket = bucketFor(r.Method, path)
		}
		p.stats.request(bucket, r.Method+" "+pathTemplate(path))
		if mgmt {
			// Injected latency and pauses count as in flight, as a slow org would.
			if !p.enterConcurrency(w, bucket) {
				return
			}
			defer p.leaveConcurrency()
		}

		w, finish, served := p.injectFaults(w, r, bucket)
		if served {
			return
		}
		defer finish()
		if !mgmt {
			h.ServeHTTP(w, r)
			return
		}
		p.serveManagement(w, r, h, bucket)
	})
}

// enterConcurrency admits a management request under the concurrency cap,
// or answers 429 itself. An admitted request must call leaveConcurrency.
func (p *platform) enterConcurrency(w http.ResponseWriter, bucket string) bool {
	if _, ok := p.limiter.enter(); !ok {
		// Okta: on a concurrency 429 Limit and Remaining are 0 and Reset is an estimate.
		setRateHeaders(w.Header(), 0, 0, p.now().Add(time.Second))
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.Concurrency429 })
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
func (p *platform) serveManagement(w http.ResponseWriter, r *http.Request, h http.Handler, bucket string) {
	now := p.now()
	setDate(w, now)
	caller, failure := p.authenticate(r, now)
	client := "unauthenticated"
	if caller != nil {
		client = caller.client
	}
	d := p.limiter.take(bucket, client, now)
	setRateHeaders(w.Header(), d.limit, d.remaining, d.reset)
	if !d.allowed {
		p.stats.limited(bucket, func(s *PlatformStats) *int64 { return &s.RateLimited })
		writeTooManyRequests(w)
		return
	}
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

// setDate sets the Date header in RFC 1123 GMT form, which okta-sdk-golang
// needs (with X-Rate-Limit-Reset) to compute its 429 back-off.
func setDate(w http.ResponseWriter, now time.Time) {
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
}

const summaryTooMany = "API call exceeded rate limit due to too many requests."

func writeTooManyRequests(w http.ResponseWriter) {
	writeOktaError(w, http.StatusTooManyRequests, "E0000047", summaryTooMany)
}
