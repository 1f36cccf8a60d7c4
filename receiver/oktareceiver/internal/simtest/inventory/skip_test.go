package inventory_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/inventory"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// skipRun is an inventory on a simulated Classic org whose component status events and
// warning logs are recorded.
type skipRun struct {
	srv  *oktasim.Server
	inv  *inventory.Inventory
	recs func() []simtest.Record
	host *testkit.StatusHost
	logs *observer.ObservedLogs
}

func startSkipRun(t *testing.T, classicAuthenticators string) skipRun {
	t.Helper()
	srv, url := simtest.StartSim(t, func(o *oktasim.Options) {
		o.Org.Engine = "classic"
		o.Org.ClassicAuthenticators = classicAuthenticators
	})
	core, logs := observer.New(zapcore.WarnLevel)
	inv, sink := simInventory(t, url, oktasim.DefaultDemoToken, withLogger(zap.New(core)))
	host := &testkit.StatusHost{}
	inv.SetHost(host)
	return skipRun{srv: srv, inv: inv, recs: func() []simtest.Record { return records(sink) }, host: host, logs: logs}
}

// authenticatorRequests is how many times the org was asked for its authenticators.
func (r skipRun) authenticatorRequests() int64 {
	return r.srv.PlatformStats().Paths["GET /api/v1/authenticators"]
}

// TestClassicOrgAuthenticatorsDelivered: a Classic org that serves /api/v1/authenticators
// is asked for them like any org, and every authenticator it serves is delivered.
func TestClassicOrgAuthenticatorsDelivered(t *testing.T) {
	run := startSkipRun(t, oktasim.ClassicAuthenticatorsList)
	run.inv.FullSync(context.Background())
	gt := run.srv.GroundTruth()
	require.Len(t, gt.IDs[string(resource.Authenticator)], 5, "the simulated Classic org serves five authenticators")
	want := append([]string(nil), gt.IDs[string(resource.Authenticator)]...)
	sort.Strings(want)
	assert.Equal(t, want, snapshotIDs(run.recs())[string(resource.Authenticator)])
	assert.Equal(t, int64(1), run.authenticatorRequests())
	assert.Empty(t, run.inv.Stats().Errors)
	assert.Empty(t, run.host.Statuses())
	assert.Zero(t, run.logs.Len(), "no warning: %v", run.logs.All())
}

func TestClassicOrgAuthenticators400Skipped(t *testing.T) {
	checkAuthenticatorsSkipped(t, "E0000002", 400)
}

func TestClassicOrgAuthenticators401Skipped(t *testing.T) {
	checkAuthenticatorsSkipped(t, "E0000015", 401)
}

func TestClassicOrgAuthenticators404ResourceSkipped(t *testing.T) {
	checkAuthenticatorsSkipped(t, "E0000007", 404)
}

func TestClassicOrgAuthenticators404PathSkipped(t *testing.T) {
	checkAuthenticatorsSkipped(t, "E0000008", 404)
}

// checkAuthenticatorsSkipped runs two full syncs against a Classic org that answers
// /api/v1/authenticators with code: each sync asks again, the type is reported exactly
// once (one component status event, one warning, okta.inventory.errors 1), and every
// other type is delivered by both syncs.
func checkAuthenticatorsSkipped(t *testing.T, code string, status int) {
	t.Helper()
	run := startSkipRun(t, code)
	run.inv.FullSync(context.Background())
	assert.True(t, run.inv.Skipped(string(resource.Authenticator)), "skipped until the next full sync")
	run.inv.FullSync(context.Background())

	assert.Equal(t, int64(2), run.authenticatorRequests(), "asked at each full sync, not guessed from the engine")
	got := snapshotIDs(run.recs())
	assert.Empty(t, got[string(resource.Authenticator)])
	assert.Equal(t, map[string]int64{string(resource.Authenticator): 1}, run.inv.Stats().Errors, "counted once across two full syncs")

	require.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, run.host.Statuses(), "status reported once")
	statusErr := run.host.Errs()[0]
	assert.ErrorIs(t, statusErr, inventory.ErrTypeSkipped)
	var ae *oktaapi.APIError
	require.ErrorAs(t, statusErr, &ae)
	assert.Equal(t, status, ae.Status)
	assert.Equal(t, code, ae.Code)
	assert.Contains(t, statusErr.Error(), string(resource.Authenticator))

	warnings := run.logs.All()
	require.Len(t, warnings, 1, "one log line")
	assert.Equal(t, string(resource.Authenticator), warnings[0].ContextMap()["resource_type"])
	assert.Contains(t, warnings[0].Message, "skipped")

	gt := run.srv.GroundTruth()
	for _, typ := range allResourceTypes {
		if typ == string(resource.Authenticator) || typ == string(resource.GroupMembership) {
			continue
		}
		assert.Len(t, got[typ], 2*len(gt.IDs[typ]), "resource type %s delivered by both full syncs", typ)
	}
}

// oktaErrorProxy is a front for the simulator that answers GET path with the Okta error
// answer() returns (status 0: pass the request on).
func oktaErrorProxy(t *testing.T, simURL, path string, answer func() (int, string)) string {
	t.Helper()
	target, err := url.Parse(simURL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, code := answer(); status != 0 && r.URL.Path == path {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"errorCode":"` + code + `","errorSummary":"simulated","errorLink":"` + code + `","errorId":"oaeTest","errorCauses":[]}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

// TestSkippedParentSkipsChildren: when the org refuses the users list (403 E0000006, as
// to a credential without okta.users.read), user factors are skipped too instead of
// reported deleted, and the next full sync that may list users again delivers both.
func TestSkippedParentSkipsChildren(t *testing.T) {
	srv, simURL := simtest.StartSim(t, nil)
	var forbidUsers atomic.Bool
	front := oktaErrorProxy(t, simURL, "/api/v1/users", func() (int, string) {
		if forbidUsers.Load() {
			return http.StatusForbidden, "E0000006"
		}
		return 0, ""
	})
	inv, sink := simInventory(t, front, oktasim.DefaultDemoToken, nil)
	inv.FullSync(context.Background())
	factors := inv.Count(string(resource.UserFactor))
	require.Equal(t, len(srv.GroundTruth().IDs[string(resource.UserFactor)]), factors)

	forbidUsers.Store(true)
	sink.Reset()
	inv.FullSync(context.Background())
	assert.True(t, inv.Skipped(string(resource.User)))
	assert.True(t, inv.Skipped(string(resource.UserFactor)))
	for _, r := range records(sink) {
		assert.False(t, r.Type == string(resource.UserFactor) || r.Type == string(resource.User), "no %s record while its listing is skipped", r.Type)
	}
	assert.Equal(t, factors, inv.Count(string(resource.UserFactor)), "no factor forgotten")
	errs := inv.Stats().Errors
	assert.Equal(t, int64(1), errs[string(resource.User)])
	assert.Equal(t, int64(1), errs[string(resource.UserFactor)], "the child type is reported too")

	forbidUsers.Store(false)
	sink.Reset()
	inv.FullSync(context.Background())
	assert.False(t, inv.Skipped(string(resource.User)), "a full sync asks again")
	got := snapshotIDs(records(sink))
	assert.Len(t, got[string(resource.User)], len(srv.GroundTruth().IDs[string(resource.User)]))
	assert.Len(t, got[string(resource.UserFactor)], factors)
	assert.Empty(t, changesOf(records(sink), string(resource.UserFactor), inventory.ChangeDeleted))
}

// TestFailureThenSkipIsReportedAgain: a type whose listing failed (401 E0000011) and is
// then answered "not here" (403) is reported for each, once: two warnings, two status
// events; the failure and the first skip count in okta.inventory.errors, the repeated
// skip does not.
func TestFailureThenSkipIsReportedAgain(t *testing.T) {
	_, simURL := simtest.StartSim(t, nil)
	var answer atomic.Int32
	front := oktaErrorProxy(t, simURL, "/api/v1/trustedOrigins", func() (int, string) {
		if answer.Load() == http.StatusUnauthorized {
			return http.StatusUnauthorized, "E0000011"
		}
		return http.StatusForbidden, "E0000006"
	})
	core, logs := observer.New(zapcore.WarnLevel)
	inv, _ := simInventory(t, front, oktasim.DefaultDemoToken, withLogger(zap.New(core)))
	host := &testkit.StatusHost{}
	inv.SetHost(host)

	answer.Store(http.StatusUnauthorized)
	inv.FullSync(context.Background())
	answer.Store(http.StatusForbidden)
	inv.FullSync(context.Background())
	inv.FullSync(context.Background())

	assert.Equal(t, int64(2), inv.Stats().Errors[string(resource.TrustedOrigin)])
	assert.Len(t, host.Statuses(), 2)
	var messages []string
	for _, e := range logs.All() {
		assert.Equal(t, string(resource.TrustedOrigin), e.ContextMap()["resource_type"])
		messages = append(messages, e.Message)
	}
	require.Len(t, messages, 2, "one warning for the failure, one for the skip")
	assert.Contains(t, messages[0], "failed")
	assert.Contains(t, messages[1], "skipped")
}
