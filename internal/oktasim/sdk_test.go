package oktasim

import (
	"context"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
)

// sdkClient returns an okta-sdk-golang v2.20.0 client for the simulator,
// with an SSWS token, no cache and the https check off (loopback http).
func sdkClient(t *testing.T, s *orgSim) (context.Context, *okta.Client) {
	t.Helper()
	clearOktaEnv(t)
	ctx, c, err := okta.NewClient(context.Background(),
		okta.WithOrgUrl(s.url),
		okta.WithToken(s.token),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false),
		okta.WithRequestTimeout(30),
	)
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return ctx, c
}

// TestSDKListsEverything lists users, groups, apps, policies and logs with
// okta-sdk-golang v2.20.0 over several pages each (the SDK follows the
// Link headers) and compares the counts with the ground truth.
func TestSDKListsEverything(t *testing.T) {
	s := startOrgSim(t, nil)
	ctx, c := sdkClient(t, s)
	gt := s.sim.GroundTruth()

	t.Run("users", func(t *testing.T) {
		users, resp, err := c.User.ListUsers(ctx, query.NewQueryParams(query.WithLimit(40)))
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		pages := 1
		for resp.HasNextPage() {
			var more []*okta.User
			if resp, err = resp.Next(ctx, &more); err != nil {
				t.Fatalf("ListUsers page %d: %v", pages+1, err)
			}
			users = append(users, more...)
			pages++
		}
		want := len(gt.IDs[typeUser]) - gt.Counts.UsersByStatus["DEPROVISIONED"]
		if len(users) != want || pages < 2 {
			t.Fatalf("SDK listed %d users in %d pages, ground truth has %d non-deprovisioned users", len(users), pages, want)
		}
		for _, u := range users {
			if u.Status == "DEPROVISIONED" || u.Created == nil || u.LastUpdated == nil {
				t.Fatalf("user %s: status %s, created %v, lastUpdated %v", u.Id, u.Status, u.Created, u.LastUpdated)
			}
		}
	})

	t.Run("groups", func(t *testing.T) {
		groups, resp, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithLimit(7), query.WithExpand("stats")))
		if err != nil {
			t.Fatalf("ListGroups: %v", err)
		}
		for resp.HasNextPage() {
			var more []*okta.Group
			if resp, err = resp.Next(ctx, &more); err != nil {
				t.Fatalf("ListGroups next: %v", err)
			}
			groups = append(groups, more...)
		}
		if len(groups) != len(gt.IDs[typeGroup]) {
			t.Fatalf("SDK listed %d groups, ground truth has %d", len(groups), len(gt.IDs[typeGroup]))
		}
	})

	t.Run("apps", func(t *testing.T) {
		apps, resp, err := c.Application.ListApplications(ctx, query.NewQueryParams(query.WithLimit(6)))
		if err != nil {
			t.Fatalf("ListApplications: %v", err)
		}
		n := len(apps)
		for resp.HasNextPage() {
			var more []*okta.Application
			if resp, err = resp.Next(ctx, &more); err != nil {
				t.Fatalf("ListApplications next: %v", err)
			}
			n += len(more)
		}
		if n != len(gt.IDs[typeApplication]) {
			t.Fatalf("SDK listed %d apps, ground truth has %d", n, len(gt.IDs[typeApplication]))
		}
	})

	t.Run("policies", func(t *testing.T) {
		for _, pt := range []string{"OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "ACCESS_POLICY"} {
			pols, _, err := c.Policy.ListPolicies(ctx, query.NewQueryParams(query.WithType(pt)))
			if err != nil {
				t.Fatalf("ListPolicies(%s): %v", pt, err)
			}
			want := gt.Counts.PoliciesByTypeAndStatus[pt+"/ACTIVE"] + gt.Counts.PoliciesByTypeAndStatus[pt+"/INACTIVE"]
			if len(pols) != want || want == 0 {
				t.Fatalf("SDK listed %d %s policies, ground truth has %d", len(pols), pt, want)
			}
		}
	})

	t.Run("logs", func(t *testing.T) {
		until := time.Now().UTC().Add(time.Minute)
		since := until.Add(-48 * time.Hour)
		events, resp, err := c.LogEvent.GetLogs(ctx, query.NewQueryParams(
			query.WithSince(since.Format(time.RFC3339)), query.WithUntil(until.Format(time.RFC3339)), query.WithLimit(100)))
		if err != nil {
			t.Fatalf("GetLogs: %v", err)
		}
		for pages := 1; resp.HasNextPage() && pages < 100; pages++ {
			var more []*okta.LogEvent
			if resp, err = resp.Next(ctx, &more); err != nil {
				t.Fatalf("GetLogs next: %v", err)
			}
			events = append(events, more...)
		}
		if len(events) == 0 {
			t.Fatal("SDK read no System Log events from the simulator's initial history")
		}
		for _, e := range events {
			if e.Uuid == "" || e.EventType == "" || e.Published == nil {
				t.Fatalf("event with empty uuid/eventType/published: %+v", e)
			}
		}
	})
}
