package systemlog

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSystemLogStartURLIsPollingMode(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Filter = `outcome.result eq "FAILURE"`
	now := time.Date(2026, 2, 3, 12, 0, 0, 0, time.UTC)
	u := StartURL(cfg, time.Time{}, now)
	assert.True(t, strings.HasPrefix(u, "/api/v1/logs?"))
	assert.Contains(t, u, "since=2026-02-03T11%3A00%3A00.000Z")
	assert.Contains(t, u, "limit=1000")
	assert.Contains(t, u, "sortOrder=ASCENDING")
	assert.Contains(t, u, "filter=outcome.result+eq+%22FAILURE%22")
	assert.NotContains(t, u, "until")
	// Without a usable cursor, resume shortly before the last delivered event.
	u = StartURL(cfg, now.Add(-time.Hour*30), now)
	assert.Contains(t, u, "since=2026-02-02T05%3A45%3A00.000Z")
	// Never before Okta's retention.
	u = StartURL(cfg, now.Add(-200*24*time.Hour), now)
	assert.Contains(t, u, "since=2025-11-05T12%3A00%3A00.000Z")
}
