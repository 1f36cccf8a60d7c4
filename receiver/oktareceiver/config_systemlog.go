package oktareceiver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
)

// Limits of the Okta System Log API (REFERENCE §5): a page holds at most 1000 events.
const (
	systemLogMaxLimit = 1000
)

// SystemLogConfig configures the System Log poller (key `system_log`).
type SystemLogConfig struct {
	// Enabled turns the poller on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// PollInterval is the wait after a short page (fewer than Limit events) before the
	// next link is requested. A full page is followed at once. Default 10s.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// InitialLookback sets `since` = now − InitialLookback on the very first start
	// (no checkpoint in storage). Default 1h. Okta keeps 90 days.
	InitialLookback time.Duration `mapstructure:"initial_lookback"`
	// Filter is an optional Okta SCIM filter expression sent as `filter`
	// (e.g. `eventType eq "user.session.start"`).
	Filter string `mapstructure:"filter"`
	// Limit is the page size (1..1000). Default 1000.
	Limit int `mapstructure:"limit"`
	// DedupeWindow is how many recent event uuids are remembered (and saved with the
	// checkpoint) to drop duplicates across pages, restarts and the event hook. Default 10000.
	DedupeWindow int `mapstructure:"dedupe_window"`
	// InitialBackoff is the first wait after a 5xx, timeout, invalid page or downstream
	// rejection; it doubles (with jitter) up to MaxBackoff. Default 1s.
	InitialBackoff time.Duration `mapstructure:"initial_backoff"`
	// MaxBackoff bounds the exponential backoff. Default 2m.
	MaxBackoff time.Duration `mapstructure:"max_backoff"`
	// UnauthorizedRetryInterval is the slow retry period after a 401/403. Default 5m.
	UnauthorizedRetryInterval time.Duration `mapstructure:"unauthorized_retry_interval"`
}

// EventHooksConfig configures the Okta event hook endpoint (key `event_hooks`).
type EventHooksConfig struct {
	// Enabled starts the HTTP endpoint. Default false.
	Enabled bool `mapstructure:"enabled"`
	// Server holds the listener settings (endpoint, TLS, timeouts...). Default endpoint localhost:8088.
	Server confighttp.ServerConfig `mapstructure:"server"`
	// Path is where Okta sends the verification GET and the deliveries. Default /okta/events.
	Path string `mapstructure:"path"`
	// HeaderName is the request header that carries the shared secret. Default Authorization.
	HeaderName string `mapstructure:"header_name"`
	// Secret is the expected value of HeaderName (configured in Okta as the hook's
	// authentication value). Required when enabled.
	Secret configopaque.String `mapstructure:"secret"`
	// MaxBodySize bounds a delivery body in bytes (413 beyond). Default 1 MiB.
	MaxBodySize int64 `mapstructure:"max_body_size"`
}

func defaultSystemLogConfig() SystemLogConfig {
	return SystemLogConfig{
		Enabled:                   true,
		PollInterval:              10 * time.Second,
		InitialLookback:           time.Hour,
		Limit:                     systemLogMaxLimit,
		DedupeWindow:              10000,
		InitialBackoff:            time.Second,
		MaxBackoff:                2 * time.Minute,
		UnauthorizedRetryInterval: 5 * time.Minute,
	}
}

func defaultEventHooksConfig() EventHooksConfig {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = "localhost:8088"
	return EventHooksConfig{
		Enabled:     false,
		Server:      server,
		Path:        "/okta/events",
		HeaderName:  "Authorization",
		MaxBodySize: 1 << 20,
	}
}

// Validate reports every bad value, each error naming its key.
func (c SystemLogConfig) Validate() error {
	var errs []error
	if c.PollInterval <= 0 {
		errs = append(errs, errors.New("system_log.poll_interval must be > 0"))
	}
	if c.InitialLookback < 0 {
		errs = append(errs, errors.New("system_log.initial_lookback must be >= 0"))
	} else if c.InitialLookback > 90*24*time.Hour {
		errs = append(errs, errors.New("system_log.initial_lookback must be <= 2160h (Okta keeps 90 days of System Log)"))
	}
	if c.Limit < 1 || c.Limit > systemLogMaxLimit {
		errs = append(errs, fmt.Errorf("system_log.limit must be between 1 and %d, got %d", systemLogMaxLimit, c.Limit))
	}
	if c.DedupeWindow < 1 {
		errs = append(errs, fmt.Errorf("system_log.dedupe_window must be >= 1, got %d", c.DedupeWindow))
	} else if c.DedupeWindow > 1_000_000 {
		errs = append(errs, fmt.Errorf("system_log.dedupe_window must be <= 1000000, got %d", c.DedupeWindow))
	}
	if c.InitialBackoff <= 0 {
		errs = append(errs, errors.New("system_log.initial_backoff must be > 0"))
	}
	if c.MaxBackoff <= 0 {
		errs = append(errs, errors.New("system_log.max_backoff must be > 0"))
	} else if c.InitialBackoff > 0 && c.MaxBackoff < c.InitialBackoff {
		errs = append(errs, errors.New("system_log.max_backoff must be >= system_log.initial_backoff"))
	}
	if c.UnauthorizedRetryInterval <= 0 {
		errs = append(errs, errors.New("system_log.unauthorized_retry_interval must be > 0"))
	}
	if strings.ContainsAny(c.Filter, "\r\n") {
		errs = append(errs, errors.New("system_log.filter must be a single line"))
	}
	return errors.Join(errs...)
}

// Validate reports every bad value, each error naming its key. Nothing is checked
// beyond the types when the endpoint is disabled, except values that are always wrong.
func (c EventHooksConfig) Validate() error {
	var errs []error
	if c.Path == "" || !strings.HasPrefix(c.Path, "/") {
		errs = append(errs, fmt.Errorf("event_hooks.path must start with \"/\", got %q", c.Path))
	}
	if c.MaxBodySize <= 0 {
		errs = append(errs, errors.New("event_hooks.max_body_size must be > 0"))
	}
	if c.HeaderName == "" {
		errs = append(errs, errors.New("event_hooks.header_name must not be empty"))
	} else if !validHeaderName(c.HeaderName) {
		errs = append(errs, fmt.Errorf("event_hooks.header_name %q is not a valid HTTP header name", c.HeaderName))
	}
	if c.Enabled {
		if c.Server.NetAddr.Endpoint == "" {
			errs = append(errs, errors.New("event_hooks.server.endpoint must be set when event_hooks.enabled is true"))
		}
		if c.Secret == "" {
			errs = append(errs, errors.New("event_hooks.secret must be set when event_hooks.enabled is true (Okta sends it in the header named by event_hooks.header_name)"))
		}
	}
	return errors.Join(errs...)
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	for _, r := range name {
		if r > 0x7e || r <= 0x20 || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return http.CanonicalHeaderKey(name) != ""
}
