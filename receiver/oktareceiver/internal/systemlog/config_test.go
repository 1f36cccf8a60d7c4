package systemlog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSystemLogConfigDefaultsAreValid(t *testing.T) {
	sl := DefaultConfig()
	require.NoError(t, sl.Check())
	assert.True(t, sl.Enabled)
	assert.Equal(t, 10*time.Second, sl.PollInterval)
	assert.Equal(t, time.Hour, sl.InitialLookback)
	assert.Equal(t, 1000, sl.Limit)
	assert.Equal(t, 10000, sl.DedupeWindow)

	eh := DefaultHooksConfig()
	require.NoError(t, eh.Check(), "disabled by default, so no secret is needed")
	assert.False(t, eh.Enabled)
	assert.Equal(t, "localhost:8088", eh.Server.NetAddr.Endpoint)
	assert.Equal(t, "/okta/events", eh.Path)
	assert.Equal(t, int64(1<<20), eh.MaxBodySize)
}

func TestSystemLogConfigValidateNamesEveryKey(t *testing.T) {
	sl := Config{
		PollInterval:              0,
		InitialLookback:           -time.Second,
		Limit:                     1001,
		DedupeWindow:              0,
		InitialBackoff:            0,
		MaxBackoff:                -1,
		UnauthorizedRetryInterval: 0,
		Filter:                    "a\nb",
	}
	err := sl.Check()
	require.Error(t, err)
	for _, want := range []string{
		"system_log.poll_interval must be >= 1s",
		"system_log.initial_lookback must be >= 0",
		"system_log.limit must be between 1 and 1000, got 1001",
		"system_log.dedupe_window must be >= 1",
		"system_log.initial_backoff must be >= 100ms",
		"system_log.max_backoff must be >= 100ms",
		"system_log.unauthorized_retry_interval must be >= 1s",
		"system_log.filter must be a single line",
	} {
		assert.ErrorContains(t, err, want)
	}

	sl = DefaultConfig()
	sl.Limit = 0
	sl.InitialLookback = 100 * 24 * time.Hour
	sl.MaxBackoff = 500 * time.Millisecond
	err = sl.Check()
	assert.ErrorContains(t, err, "system_log.limit must be between 1 and 1000, got 0")
	assert.ErrorContains(t, err, "system_log.initial_lookback must be <= 2160h")
	assert.ErrorContains(t, err, "system_log.max_backoff must be >= system_log.initial_backoff")
}

func TestEventHooksConfigValidateNamesEveryKey(t *testing.T) {
	eh := DefaultHooksConfig()
	eh.Enabled = true
	eh.Path = "okta"
	eh.MaxBodySize = 0
	eh.HeaderName = "Bad Header"
	eh.Server.NetAddr.Endpoint = ""
	err := eh.Check()
	require.Error(t, err)
	for _, want := range []string{
		`event_hooks.path must start with "/", got "okta"`,
		"event_hooks.max_body_size must be between 1 and",
		`event_hooks.header_name "Bad Header" is not a valid HTTP header name`,
		"event_hooks.server.endpoint must be set",
		"event_hooks.secret must be set when event_hooks.enabled is true",
	} {
		assert.ErrorContains(t, err, want)
	}

	eh = DefaultHooksConfig()
	eh.Enabled = true
	eh.Secret = "s3cret-value"
	require.NoError(t, eh.Check())
	eh.HeaderName = ""
	assert.ErrorContains(t, eh.Check(), "event_hooks.header_name must not be empty")
	assert.NotContains(t, eh.Check().Error(), "s3cret-value")
}
