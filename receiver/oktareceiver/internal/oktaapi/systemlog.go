package oktaapi

import (
	"context"
	neturl "net/url"
	"strconv"
	"time"
)

// systemLogPath is the System Log endpoint.
const systemLogPath = "/api/v1/logs"

// SystemLogStart is the first request of System Log polling: events published after since,
// limit per page, in ascending order, without `until` (polling mode: every answer carries a
// next link to ask again), and the filter when there is one.
func SystemLogStart(since time.Time, limit int, filter string) string {
	q := neturl.Values{}
	q.Set("since", since.UTC().Format(TimeFormat))
	q.Set("limit", strconv.Itoa(limit))
	q.Set("sortOrder", "ASCENDING")
	if filter != "" {
		q.Set("filter", filter)
	}
	return systemLogPath + "?" + q.Encode()
}

// SystemLogPage reads one System Log page: the start request or a next link of an earlier
// answer (of the org's origin only).
func (c *Client) SystemLogPage(ctx context.Context, cursor string) (*Page, error) {
	return c.Fetch(ctx, cursor)
}
