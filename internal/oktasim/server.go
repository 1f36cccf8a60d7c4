package oktasim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configures a simulated org. Each part of the simulator owns one
// group of options; cmd/oktasim registers every group's flags.
type Options struct {
	// Org is the generated org: seed, sizes, engine, admin role (org_*.go).
	Org OrgOptions
	// Platform is what wraps every request: auth, rate limits, faults (platform_*.go).
	Platform PlatformOptions
	// Logs is the System Log and event hooks: generator rate, late events (logs_*.go, hooks_*.go).
	Logs LogOptions
	// Control enables the /_sim/ control API (mutations, faults, ground truth).
	Control bool
	// Clock is the simulator's wall clock: Date headers, rate-limit windows, token
	// lifetimes, System Log persistence times, mutation timestamps, and the default
	// generator Now (the start of the clock's UTC day). Nil means time.Now. Tests move it
	// to check that nothing depends on the real date.
	Clock func() time.Time
}

// clock returns o.Clock, or time.Now when unset.
func (o Options) clock() func() time.Time {
	if o.Clock != nil {
		return o.Clock
	}
	return time.Now
}

// DefaultOptions returns the options of the default demo org.
func DefaultOptions() Options {
	return Options{
		Org:      DefaultOrgOptions(),
		Platform: DefaultPlatformOptions(),
		Logs:     DefaultLogOptions(),
	}
}

// Server is a running simulated org.
type Server struct {
	opts     Options
	org      *orgStore
	platform *platform
	logs     *logStore

	mu       sync.Mutex
	httpSrv  *http.Server
	listener net.Listener
	cancel   context.CancelFunc
	bg       sync.WaitGroup
}

// New generates the org described by opts. It does not listen yet.
func New(opts Options) (*Server, error) {
	clock := opts.clock()
	org, err := newOrgStore(opts.Org, clock)
	if err != nil {
		return nil, fmt.Errorf("generate org: %w", err)
	}
	plat, err := newPlatform(opts.Platform, clock)
	if err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	logs, err := newLogStore(opts.Logs, org, clock)
	if err != nil {
		return nil, fmt.Errorf("system log: %w", err)
	}
	return &Server{opts: opts, org: org, platform: plat, logs: logs}, nil
}

// Handler returns the simulator's HTTP handler: every route, wrapped in the
// platform middleware (request ids, auth, rate limits, faults).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.registerOrgRoutes(mux)      // resources, /.well-known/okta-organization
	s.registerLogRoutes(mux)      // /api/v1/logs
	s.registerPlatformRoutes(mux) // /oauth2/v1/token
	if s.opts.Control {
		s.registerOrgControlRoutes(mux)      // /_sim/resources/..., /_sim/groundtruth
		s.registerLogControlRoutes(mux)      // /_sim/events, /_sim/hooks
		s.registerPlatformControlRoutes(mux) // /_sim/faults, /_sim/ratelimits
	}
	return s.platform.wrap(mux)
}

// Start listens on addr ("127.0.0.1:0" for a free port), serves, and starts
// the background work (event generator, late-event persistence, hook
// deliveries). It returns the org URL, e.g. "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.httpSrv, s.listener, s.cancel = srv, ln, cancel
	s.mu.Unlock()
	url := "http://" + ln.Addr().String()
	s.bg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener closed under us; Close reports nothing more useful
		}
	})
	s.logs.start(ctx, &s.bg, url)
	return url, nil
}

// URL is the org URL once started, "" before.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return ""
	}
	return "http://" + s.listener.Addr().String()
}

// Close stops serving and all background work.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, cancel := s.httpSrv, s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	var err error
	if srv != nil {
		ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(ctx)
		done()
	}
	s.bg.Wait()
	return err
}
