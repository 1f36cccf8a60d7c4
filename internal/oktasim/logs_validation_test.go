package oktasim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLogsValidationErrors(t *testing.T) {
	_, base := startLogsServer(t, nil)
	long := strings.Repeat("k", 41)
	cases := []struct {
		name   string
		params map[string]string
		code   string
		names  string // what the error must mention
	}{
		{"invalid filter", map[string]string{"filter": `eventType eq`}, "E0000053", "filter"},
		{"unknown attribute", map[string]string{"filter": `nosuch eq "x"`}, "E0000053", "nosuch"},
		{"published in filter", map[string]string{"filter": `published gt "2024-01-01T00:00:00Z"`}, "E0000053", "published"},
		{"bracket operator", map[string]string{"filter": `target[type eq "User"]`}, "E0000053", "filter"},
		{"co on url", map[string]string{"filter": `debugContext.debugData.url co "/api"`}, "E0000031", "url"},
		{"co on requestUri", map[string]string{"filter": `debugContext.debugData.requestUri co "/api"`}, "E0000031", "requestUri"},
		{"eleven keywords", map[string]string{"q": "a b c d e f g h i j k"}, "E0000001", "q"},
		{"keyword over 40", map[string]string{"q": long}, "E0000001", "q"},
		{"negative limit", map[string]string{"limit": "-1"}, "E0000001", "limit"},
		{"non-numeric limit", map[string]string{"limit": "ten"}, "E0000001", "limit"},
		{"since over 180 days", map[string]string{"since": isoAgo(181 * 24 * time.Hour)}, "E0000053", "180 days"},
		{"bad since", map[string]string{"since": "yesterday"}, "E0000001", "since"},
		{"bad until", map[string]string{"until": "2024-13-45"}, "E0000001", "until"},
		{"bad sortOrder", map[string]string{"sortOrder": "UP"}, "E0000001", "sortOrder"},
		{"garbage after", map[string]string{"after": "not-a-cursor"}, "E0000001", "after"},
		{"since after until", map[string]string{"since": isoAgo(time.Minute), "until": isoAgo(time.Hour)}, "E0000001", "since"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := getLogs(t, logsURL(base, c.params))
			if resp.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.status, resp.body)
			}
			var e oktaError
			if err := json.Unmarshal(resp.body, &e); err != nil {
				t.Fatalf("error body: %v: %s", err, resp.body)
			}
			if e.ErrorCode != c.code {
				t.Errorf("errorCode %s, want %s (%s)", e.ErrorCode, c.code, resp.body)
			}
			if !strings.Contains(string(resp.body), c.names) {
				t.Errorf("error does not mention %q: %s", c.names, resp.body)
			}
		})
	}
}

func TestLogsLimitDefaultsAndCap(t *testing.T) {
	_, base := startLogsServer(t, func(o *Options) { o.Logs.HistoryEvents = 1200 })
	if got := len(getLogs(t, logsURL(base, map[string]string{"since": isoAgo(2 * time.Hour)})).events); got != 100 {
		t.Errorf("default limit: %d events, want 100", got)
	}
	capped := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(2 * time.Hour), "limit": "5000"}))
	if capped.status != http.StatusOK || len(capped.events) != 1000 {
		t.Errorf("limit 5000: status %d, %d events, want 200 with 1000 (capped)", capped.status, len(capped.events))
	}
	zero := getLogs(t, logsURL(base, map[string]string{"since": isoAgo(2 * time.Hour), "limit": "0"}))
	if zero.status != http.StatusOK || len(zero.events) != 0 || zero.links["next"] == "" {
		t.Errorf("limit 0: status %d, %d events, next %q", zero.status, len(zero.events), zero.links["next"])
	}
}

func TestLogsFilterAndKeywords(t *testing.T) {
	_, base := startLogsServer(t, nil)
	user := map[string]any{"id": "00uFilterTarget00001", "type": "User", "alternateId": "pat.lee@example.com", "displayName": "Pat Lee"}
	ids := inject(t, base, map[string]any{"specs": []map[string]any{
		{"eventType": "user.lifecycle.deactivate", "targets": []any{user}},
		{"eventType": "group.user_membership.add", "targets": []any{user}},
		{"eventType": "user.session.start", "outcome": "FAILURE", "severity": "WARN", "reason": "INVALID_CREDENTIALS"},
		{"eventType": "group.user_membership.remove"},
	}})
	since := isoAgo(time.Minute)
	cases := []struct {
		filter, q string
		want      []string
	}{
		{filter: `target.id eq "00uFilterTarget00001"`, want: ids[:2]},
		{filter: `eventType sw "group." and target.id eq "00uFilterTarget00001"`, want: ids[1:2]},
		{filter: `outcome.result eq "FAILURE" or eventType eq "group.user_membership.remove"`, want: ids[2:]},
		{filter: `eventType ne "user.session.start" and not (eventType ew ".add")`, want: []string{ids[0], ids[3]}},
		{filter: `target.alternateId co "PAT.LEE"`, want: ids[:2]},
		{filter: `debugContext.debugData.requestUri pr and severity eq "WARN"`, want: ids[2:3]},
		{q: "pat.lee@example.com", want: ids[:2]},
		{q: "Lee deactivate", want: ids[:1]},
	}
	for _, c := range cases {
		params := map[string]string{"since": since}
		if c.filter != "" {
			params["filter"] = c.filter
		}
		if c.q != "" {
			params["q"] = c.q
		}
		resp := getLogs(t, logsURL(base, params))
		if resp.status != http.StatusOK {
			t.Fatalf("filter %q q %q: %d %s", c.filter, c.q, resp.status, resp.body)
		}
		if got := uuidsOf(resp.events); !equalStrings(got, c.want) {
			t.Errorf("filter %q q %q: got %v, want %v", c.filter, c.q, got, c.want)
		}
	}
}
