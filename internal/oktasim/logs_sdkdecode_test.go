package oktasim

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
)

// okta-sdk-golang v2 (what the receiver uses) must read generated events
// and follow polling next links.
func TestLogsDecodeWithOktaSDKv2(t *testing.T) {
	_, base := startLogsServer(t, nil)
	inject(t, base, map[string]any{"count": 250})
	_, client, err := okta.NewClient(context.Background(),
		okta.WithOrgUrl(base), okta.WithToken(DefaultDemoToken), okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false), okta.WithRequestTimeout(10), okta.WithRateLimitMaxRetries(1))
	if err != nil {
		t.Fatalf("okta client: %v", err)
	}
	events, resp, err := client.LogEvent.GetLogs(context.Background(),
		&query.Params{Since: isoAgo(time.Minute), Limit: 100})
	if err != nil {
		t.Fatalf("GetLogs: %v", err)
	}
	total := len(events)
	for page := 0; page < 5 && resp.HasNextPage(); page++ {
		var more []*okta.LogEvent
		if resp, err = resp.Next(context.Background(), &more); err != nil {
			t.Fatalf("Next: %v", err)
		}
		total += len(more)
		events = append(events, more...)
		if len(more) == 0 {
			break
		}
	}
	if total != 250 {
		t.Fatalf("SDK read %d events over the next links, want 250", total)
	}
	e := events[0]
	if e.Uuid == "" || e.Published == nil || e.Actor == nil || e.Client == nil || e.Client.GeographicalContext == nil ||
		e.AuthenticationContext == nil || e.Outcome == nil || e.Transaction == nil || e.DebugContext == nil ||
		e.SecurityContext == nil || e.Request == nil || len(e.Request.IpChain) == 0 || e.Version != "0" {
		t.Fatalf("SDK decoded an incomplete event: %+v", e)
	}
	if _, err := url.Parse(resp.NextPage); err != nil {
		t.Fatalf("next page %q: %v", resp.NextPage, err)
	}
}
