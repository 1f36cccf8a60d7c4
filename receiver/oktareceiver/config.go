package oktareceiver

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
)

// Config is the configuration of the okta receiver.
//
// The HTTP client settings are squashed into the top level, so `endpoint`, `tls`,
// `timeout` (the HTTP request timeout), `proxy_url` and `headers` are written next to
// `api_token`. No other squashed struct has a `timeout` key (the metrics schedule is
// `collection_interval`), so the key is unambiguous. Unmarshal checks every key (see
// config_keys.go for why the decoder alone does not).
type Config struct {
	// ClientConfig holds the org URL (`endpoint`) and the HTTP client settings.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// MetricsBuilderConfig toggles metrics and resource attributes (`metrics`, `resource_attributes`).
	MetricsBuilderConfig metadata.MetricsBuilderConfig `mapstructure:",squash"`

	// APIToken is an SSWS API token. Exactly one of api_token and oauth must be set.
	APIToken configopaque.String `mapstructure:"api_token"`
	// OAuth configures an OAuth 2.0 service app (client credentials with private_key_jwt).
	OAuth OAuthConfig `mapstructure:"oauth"`
	// Inventory configures the resource inventory.
	Inventory InventoryConfig `mapstructure:"inventory"`
	// RateLimit configures the share of each Okta rate-limit bucket the receiver may use.
	RateLimit RateLimitConfig `mapstructure:"rate_limit"`
	// StorageID names a storage extension for checkpoints (System Log cursor, watermarks).
	StorageID *component.ID `mapstructure:"storage"`
	// LeaderElector names a leader-election extension (okta_leader_elector) for active/passive
	// high availability: when set, this receiver sends requests to Okta only while that
	// extension reports that this replica holds the lease.
	LeaderElector *component.ID `mapstructure:"leader_elector"`
	// CollectionInterval is how often metrics are emitted. They are computed from the
	// inventory state, never by listing the org again. Default 1m.
	CollectionInterval time.Duration `mapstructure:"collection_interval"`

	// SystemLog configures the System Log poller (defined, defaulted and checked by the
	// systemlog package).
	SystemLog systemlog.Config `mapstructure:"system_log"`
	// EventHooks configures the event hook endpoint (defined by the systemlog package).
	EventHooks systemlog.HooksConfig `mapstructure:"event_hooks"`

	_ struct{}
}

// OAuthConfig configures an OAuth 2.0 service app that authenticates with a signed
// client assertion (private_key_jwt) against the org authorization server.
type OAuthConfig struct {
	// ClientID is the service app's client id.
	ClientID string `mapstructure:"client_id"`
	// PrivateKeyFile is a PEM file with the RSA private key (PKCS#1 or PKCS#8).
	PrivateKeyFile string `mapstructure:"private_key_file"`
	// PrivateKey is the PEM text of the RSA private key (PKCS#1 or PKCS#8).
	PrivateKey configopaque.String `mapstructure:"private_key"`
	// KeyID is the kid of the public key registered on the app (JWT header `kid`).
	KeyID string `mapstructure:"key_id"`
	// Scopes requested for the access token. Default: the read scopes the receiver uses.
	Scopes []string `mapstructure:"scopes"`
	// DPoP binds the access token to a key (RFC 9449): auto (default), true or false.
	// See config_dpop.go.
	DPoP DPoPMode `mapstructure:"dpop"`
	// DPoPPrivateKeyFile is a PEM file with the DPoP key (EC P-256 → ES256, RSA → RS256).
	// Unset (with dpop_private_key): a P-256 key is generated at start.
	DPoPPrivateKeyFile string `mapstructure:"dpop_private_key_file"`
	// DPoPPrivateKey is the PEM text of the DPoP key.
	DPoPPrivateKey configopaque.String `mapstructure:"dpop_private_key"`

	_ struct{}
}

// configured reports whether the user set any oauth field other than the default scopes.
func (o OAuthConfig) configured() bool {
	return o.ClientID != "" || o.PrivateKeyFile != "" || o.PrivateKey != "" || o.KeyID != "" ||
		o.DPoPPrivateKeyFile != "" || o.DPoPPrivateKey != ""
}

// InventoryConfig configures the resource inventory.
type InventoryConfig struct {
	// FullSyncInterval is the period of complete snapshots (and deletion detection). Default 6h.
	FullSyncInterval time.Duration `mapstructure:"full_sync_interval"`
	// IncrementalInterval is the period of lastUpdated delta queries. Default 1m.
	IncrementalInterval time.Duration `mapstructure:"incremental_interval"`
	// Resources enables or disables each resource type, keyed by okta.resource.type.
	Resources map[string]ResourceConfig `mapstructure:"resources"`

	_ struct{}
}

// ResourceConfig toggles one resource type. An entry without `enabled` (`user: {}`) keeps
// the type's default (see Config.Unmarshal).
type ResourceConfig struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// enabled reports whether resource type name is collected.
func (c InventoryConfig) enabled(name string) bool {
	rc, ok := c.Resources[name]
	if !ok {
		return defaultEnabled(name)
	}
	return rc.Enabled
}

// RateLimitConfig configures the rate-limit budget.
type RateLimitConfig struct {
	// Budget is the share (0,1] of each Okta bucket the receiver may spend per window:
	// it never lets X-Rate-Limit-Remaining fall below (1-budget)*limit. Default 0.5.
	Budget float64 `mapstructure:"budget"`

	_ struct{}
}

// systemLogScope is the OAuth scope that reads the System Log.
const systemLogScope = "okta.logs.read"

// defaultScopes are the read scopes of every resource type (the table's) and of the System
// Log, sorted: what an OAuth service app is granted by default.
var defaultScopes = resource.Scopes(systemLogScope)

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = 30 * time.Second
	resources := make(map[string]ResourceConfig, len(allResourceTypes))
	for _, r := range allResourceTypes {
		resources[r] = ResourceConfig{Enabled: defaultEnabled(r)}
	}
	return &Config{
		ClientConfig:         client,
		MetricsBuilderConfig: metadata.NewDefaultMetricsBuilderConfig(),
		OAuth:                OAuthConfig{Scopes: slices.Clone(defaultScopes), DPoP: DPoPAuto},
		Inventory: InventoryConfig{
			FullSyncInterval:    6 * time.Hour,
			IncrementalInterval: time.Minute,
			Resources:           resources,
		},
		RateLimit:          RateLimitConfig{Budget: 0.5},
		CollectionInterval: time.Minute,
		SystemLog:          systemlog.DefaultConfig(),
		EventHooks:         systemlog.DefaultHooksConfig(),
	}
}

// Unmarshal decodes the receiver block over the defaults after checking every key against
// the struct (an unknown or misspelled key fails, naming it and the nearest valid key), and
// keeps the default of a resource type whose entry has no `enabled` key.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	if errs := checkConfigKeys(raw, reflect.TypeOf(c).Elem()); len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := conf.Unmarshal(c); err != nil {
		return err
	}
	c.Inventory.keepResourceDefaults(conf)
	return nil
}

// keepResourceDefaults restores the default of every resource entry written without an
// `enabled` key: the decoder builds map values from zero, which would turn `user: {}` off.
func (c *InventoryConfig) keepResourceDefaults(conf *confmap.Conf) {
	for name, rc := range c.Resources {
		if !conf.IsSet("inventory::resources::" + name + "::enabled") {
			rc.Enabled = defaultEnabled(name)
			c.Resources[name] = rc
		}
	}
}

// minInterval is the lower bound of the schedules: below it the receiver would spin rather than poll.
const minInterval = systemlog.MinInterval

// Validate reports every bad value once; each error names its key. The nested sections
// are validated here (their methods are unexported so that the collector's walk over nested
// Validate methods does not report them a second time).
func (c *Config) Validate() error {
	errs := []error{validateEndpoint(c.ClientConfig.Endpoint), validateProxyURL(c.ClientConfig.ProxyURL)}
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.Inventory.validate()...)
	if !(c.RateLimit.Budget > 0 && c.RateLimit.Budget <= 1) {
		errs = append(errs, fmt.Errorf("rate_limit.budget must be in (0, 1], got %v", c.RateLimit.Budget))
	}
	if c.CollectionInterval < minInterval {
		errs = append(errs, fmt.Errorf("collection_interval must be >= %s, got %s", minInterval, c.CollectionInterval))
	}
	if c.ClientConfig.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be > 0 (without it a request to Okta that never answers blocks the receiver), got %s", c.ClientConfig.Timeout))
	}
	errs = append(errs, c.SystemLog.Check(), c.EventHooks.Check())
	return errors.Join(errs...)
}

// validateProxyURL checks proxy_url the way the HTTP client will parse it, naming the key;
// the URL is shown without its user information (a proxy password).
func validateProxyURL(proxy string) error {
	if proxy == "" {
		return nil
	}
	u, err := url.ParseRequestURI(proxy)
	if err != nil || u.Host == "" {
		return fmt.Errorf("proxy_url %q is not an absolute URL such as http://proxy.example.com:3128", redactUserinfo(proxy))
	}
	return nil
}

// redactUserinfo replaces the user information of a URL (user:password@) with "***@", also
// when the URL does not parse, so that an error message never shows a password.
func redactUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	authorityEnd := strings.IndexAny(rest, "/?#")
	if authorityEnd < 0 {
		authorityEnd = len(rest)
	}
	at := strings.LastIndex(rest[:authorityEnd], "@")
	if at < 0 {
		return raw
	}
	redacted := "***@" + rest[at+1:]
	if ok {
		return scheme + "://" + redacted
	}
	return redacted
}

// validateEndpoint checks the org URL: absolute http(s) URL without path, query or
// credentials; https unless the host is a loopback address. Errors show the URL without
// its user information.
func validateEndpoint(raw string) error {
	if raw == "" {
		return errors.New("endpoint must be set to the org URL, e.g. https://acme.okta.com")
	}
	endpoint := redactUserinfo(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("endpoint %q is not a valid URL (expected the org URL, e.g. https://acme.okta.com)", endpoint)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("endpoint %q must be an absolute http(s) URL such as https://acme.okta.com", endpoint)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("endpoint %q has no host", endpoint)
	case u.User != nil:
		return fmt.Errorf("endpoint %q must not carry credentials in the URL; use api_token or oauth", endpoint)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("endpoint %q must be the org URL without a path (got path %q)", endpoint, u.Path)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("endpoint %q must not have a query or fragment", endpoint)
	case strings.Contains(strings.ToLower(u.Hostname()), "-admin."):
		return fmt.Errorf("endpoint %q is an admin console URL; use the org URL (without -admin)", endpoint)
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return fmt.Errorf("endpoint %q must use https (http is allowed only for loopback hosts)", endpoint)
	}
	return nil
}

// isLoopbackHost reports whether host is localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) validateAuth() []error {
	hasToken, hasOAuth := c.APIToken != "", c.OAuth.configured()
	switch {
	case !hasToken && !hasOAuth:
		return []error{errors.New("api_token or oauth must be set (exactly one authentication method)")}
	case hasToken && hasOAuth:
		return []error{errors.New("api_token and oauth are both set; configure exactly one authentication method")}
	case hasToken:
		if strings.ContainsAny(string(c.APIToken), " \t\r\n") {
			return []error{errors.New("api_token must not contain whitespace")}
		}
		return nil
	}
	return c.OAuth.validate()
}

func (o OAuthConfig) validate() []error {
	var errs []error
	if o.ClientID == "" {
		errs = append(errs, errors.New("oauth.client_id must be set"))
	}
	switch {
	case o.PrivateKeyFile == "" && o.PrivateKey == "":
		errs = append(errs, errors.New("oauth.private_key_file or oauth.private_key must be set"))
	case o.PrivateKeyFile != "" && o.PrivateKey != "":
		errs = append(errs, errors.New("oauth.private_key_file and oauth.private_key are both set; set one"))
	default:
		if _, err := o.loadKey(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(o.Scopes) == 0 {
		errs = append(errs, errors.New("oauth.scopes must not be empty"))
	}
	for i, s := range o.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			errs = append(errs, fmt.Errorf("oauth.scopes[%d] %q is not a scope name", i, s))
		}
	}
	errs = append(errs, o.validateDPoP()...)
	return errs
}

// childParents maps each child resource type to the type whose objects it is listed under.
var childParents = map[string]string{
	resUserFactor:       resUser,
	resGroupMembership:  resGroup,
	resApplicationUser:  resApplication,
	resApplicationGroup: resApplication,
	resPolicyRule:       resPolicy,
}

func (c InventoryConfig) validate() []error {
	var errs []error
	if c.FullSyncInterval < minInterval {
		errs = append(errs, fmt.Errorf("inventory.full_sync_interval must be >= %s, got %s", minInterval, c.FullSyncInterval))
	}
	if c.IncrementalInterval < minInterval {
		errs = append(errs, fmt.Errorf("inventory.incremental_interval must be >= %s, got %s", minInterval, c.IncrementalInterval))
	} else if c.FullSyncInterval >= minInterval && c.IncrementalInterval >= c.FullSyncInterval {
		errs = append(errs, fmt.Errorf("inventory.incremental_interval (%s) must be shorter than inventory.full_sync_interval (%s)",
			c.IncrementalInterval, c.FullSyncInterval))
	}
	for child, parent := range childParents {
		if c.enabled(child) && !c.enabled(parent) {
			errs = append(errs, fmt.Errorf("inventory.resources.%s needs inventory.resources.%s (its parent) to be enabled; disable %s too",
				child, parent, child))
		}
	}
	names := make([]string, 0, len(c.Resources))
	for name := range c.Resources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !isResourceType(name) {
			hint := ""
			if alias := resource.Alias(name); alias != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", alias)
			} else if s := strings.TrimSuffix(name, "s"); isResourceType(s) {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			errs = append(errs, fmt.Errorf("inventory.resources.%s: unknown resource type%s; valid types: %s",
				name, hint, strings.Join(allResourceTypes, ", ")))
		}
	}
	return errs
}
