package systemlog

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
)

// MaxLimit is the largest System Log page Okta serves: 1000 events.
const MaxLimit = 1000

// Lower bounds of the schedules: below them the receiver would spin rather than poll.
// MinInterval also bounds the receiver's other schedules (collection and inventory intervals).
const (
	MinInterval       = time.Second
	MinInitialBackoff = 100 * time.Millisecond
)

// Limits of the event hook endpoint.
const (
	// defaultMaxEventsPerDelivery: Okta batches "several events that happen close together"
	// into one delivery; 1000 is far above that and equal to a System Log page, so a burst
	// Okta sends is never refused, while a request carrying a million tiny events is.
	defaultMaxEventsPerDelivery = 1000
	maxEventsPerDeliveryLimit   = 100_000
	// maxHookBodySize bounds event_hooks.max_body_size: each delivery in flight holds its body.
	maxHookBodySize = 16 << 20
	// defaultHookReadTimeout bounds the time to receive a whole request. Okta gives up after
	// 3 s, so a request still arriving after 10 s is not Okta's; without a bound, a client
	// that declares a body and never sends it holds a connection (and its goroutine) forever.
	defaultHookReadTimeout       = 10 * time.Second
	defaultHookReadHeaderTimeout = 5 * time.Second
	defaultHookWriteTimeout      = 30 * time.Second
)

// Config configures the System Log poller (key `system_log`).
type Config struct {
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
	// MaxDeliveryAttempts is how many times in a row the pipeline may refuse the same page
	// before the poller isolates the events it refuses and skips them (counted and logged),
	// so that one event the pipeline can never accept does not stall the System Log. A
	// permanent refusal (consumererror.NewPermanent) is not retried at all. 0 retries forever.
	// Default 10.
	MaxDeliveryAttempts int `mapstructure:"max_delivery_attempts"`
}

// HooksConfig configures the Okta event hook endpoint (key `event_hooks`).
type HooksConfig struct {
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
	// MaxEventsPerDelivery bounds the events of one delivery (413 beyond). Default 1000.
	MaxEventsPerDelivery int `mapstructure:"max_events_per_delivery"`
}

// DefaultConfig is the system_log section a user gets without writing it.
func DefaultConfig() Config {
	return Config{
		Enabled:                   true,
		PollInterval:              10 * time.Second,
		InitialLookback:           time.Hour,
		Limit:                     MaxLimit,
		DedupeWindow:              10000,
		InitialBackoff:            time.Second,
		MaxBackoff:                2 * time.Minute,
		UnauthorizedRetryInterval: 5 * time.Minute,
		MaxDeliveryAttempts:       defaultMaxDeliveryAttempts,
	}
}

// defaultMaxDeliveryAttempts: with the default backoff (1s doubling to 2m) ten refusals in a
// row take about 4 to 8 minutes, long enough for a pipeline to come back from a restart.
const defaultMaxDeliveryAttempts = 10

// DefaultHooksConfig is the event_hooks section a user gets without writing it (disabled).
func DefaultHooksConfig() HooksConfig {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = "localhost:8088"
	server.ReadHeaderTimeout = defaultHookReadHeaderTimeout
	server.ReadTimeout = defaultHookReadTimeout
	server.WriteTimeout = defaultHookWriteTimeout
	return HooksConfig{
		Enabled:              false,
		Server:               server,
		Path:                 "/okta/events",
		HeaderName:           "Authorization",
		MaxBodySize:          1 << 20,
		MaxEventsPerDelivery: defaultMaxEventsPerDelivery,
	}
}

// Check reports every bad value, each error naming its key. The receiver's Config.Validate
// calls it; it is not named Validate so that the collector's walk over nested Validate methods
// does not report each error a second time.
func (c Config) Check() error {
	var errs []error
	if c.PollInterval < MinInterval {
		errs = append(errs, fmt.Errorf("system_log.poll_interval must be >= %s, got %s", MinInterval, c.PollInterval))
	}
	if c.InitialLookback < 0 {
		errs = append(errs, errors.New("system_log.initial_lookback must be >= 0"))
	} else if c.InitialLookback > 90*24*time.Hour {
		errs = append(errs, errors.New("system_log.initial_lookback must be <= 2160h (Okta keeps 90 days of System Log)"))
	}
	if c.Limit < 1 || c.Limit > MaxLimit {
		errs = append(errs, fmt.Errorf("system_log.limit must be between 1 and %d, got %d", MaxLimit, c.Limit))
	}
	if c.DedupeWindow < 1 {
		errs = append(errs, fmt.Errorf("system_log.dedupe_window must be >= 1, got %d", c.DedupeWindow))
	} else if c.DedupeWindow > 1_000_000 {
		errs = append(errs, fmt.Errorf("system_log.dedupe_window must be <= 1000000, got %d", c.DedupeWindow))
	}
	if c.InitialBackoff < MinInitialBackoff {
		errs = append(errs, fmt.Errorf("system_log.initial_backoff must be >= %s, got %s", MinInitialBackoff, c.InitialBackoff))
	}
	if c.MaxBackoff < MinInitialBackoff {
		errs = append(errs, fmt.Errorf("system_log.max_backoff must be >= %s, got %s", MinInitialBackoff, c.MaxBackoff))
	} else if c.InitialBackoff >= MinInitialBackoff && c.MaxBackoff < c.InitialBackoff {
		errs = append(errs, errors.New("system_log.max_backoff must be >= system_log.initial_backoff"))
	}
	if c.UnauthorizedRetryInterval < MinInterval {
		errs = append(errs, fmt.Errorf("system_log.unauthorized_retry_interval must be >= %s, got %s", MinInterval, c.UnauthorizedRetryInterval))
	}
	if c.MaxDeliveryAttempts < 0 {
		errs = append(errs, fmt.Errorf("system_log.max_delivery_attempts must be >= 0 (0 retries forever), got %d", c.MaxDeliveryAttempts))
	}
	if strings.ContainsAny(c.Filter, "\r\n") {
		errs = append(errs, errors.New("system_log.filter must be a single line"))
	} else if err := validateSystemLogFilter(c.Filter); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Check reports every bad value, each error naming its key (called by the receiver's
// Config.Validate, see Config.Check). The secret and the server settings are checked only
// when the endpoint is enabled; values that are always wrong are refused either way. No message shows the secret.
func (c HooksConfig) Check() error {
	var errs []error
	if err := validateHookPath(c.Path); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBodySize <= 0 || c.MaxBodySize > maxHookBodySize {
		errs = append(errs, fmt.Errorf("event_hooks.max_body_size must be between 1 and %d bytes, got %d", maxHookBodySize, c.MaxBodySize))
	}
	if c.MaxEventsPerDelivery < 1 || c.MaxEventsPerDelivery > maxEventsPerDeliveryLimit {
		errs = append(errs, fmt.Errorf("event_hooks.max_events_per_delivery must be between 1 and %d, got %d", maxEventsPerDeliveryLimit, c.MaxEventsPerDelivery))
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
		if err := validateHookSecret(string(c.Secret)); err != nil {
			errs = append(errs, err)
		}
		for _, d := range []struct {
			key   string
			value time.Duration
		}{
			{"read_header_timeout", c.Server.ReadHeaderTimeout},
			{"read_timeout", c.Server.ReadTimeout},
			{"write_timeout", c.Server.WriteTimeout},
		} {
			if d.value <= 0 {
				errs = append(errs, fmt.Errorf("event_hooks.server.%s must be > 0 (without it a client that never finishes its request holds a connection forever), got %s", d.key, d.value))
			}
		}
	}
	return errors.Join(errs...)
}

// validateHookPath accepts an absolute URL path without query, fragment, escapes or spaces:
// the handler compares it with the decoded request path, so anything else is unreachable.
func validateHookPath(p string) error {
	switch {
	case p == "" || !strings.HasPrefix(p, "/"):
		return fmt.Errorf("event_hooks.path must start with \"/\", got %q", p)
	case strings.ContainsAny(p, "?#"):
		return fmt.Errorf("event_hooks.path %q must not contain a query (?) or fragment (#): Okta calls the URL as registered and the handler matches the path only", p)
	case strings.Contains(p, "%"):
		return fmt.Errorf("event_hooks.path %q must not contain %%-escapes: write the characters themselves", p)
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("event_hooks.path %q must not contain spaces or control characters", p)
		}
	}
	return nil
}

// validateHookSecret refuses secrets that no request can carry: empty or blank, with leading
// or trailing whitespace (HTTP strips it from header values), or with control characters
// such as a newline (not allowed in a header value).
func validateHookSecret(secret string) error {
	const hint = " (Okta sends it in the header named by event_hooks.header_name)"
	switch {
	case secret == "":
		return errors.New("event_hooks.secret must be set when event_hooks.enabled is true" + hint)
	case strings.TrimSpace(secret) == "":
		return errors.New("event_hooks.secret is only whitespace; set the value configured in Okta" + hint)
	case strings.TrimSpace(secret) != secret:
		return errors.New("event_hooks.secret has leading or trailing whitespace, which HTTP strips from header values: it could never match; remove it (a trailing newline from a secret file is the usual cause)")
	}
	for _, r := range secret {
		if r < ' ' || r == 0x7f {
			return errors.New("event_hooks.secret contains a control character (a newline or tab, for instance), which a header value cannot carry: it could never match")
		}
	}
	return nil
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
