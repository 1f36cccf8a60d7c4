package oktareceiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
)

type fakeElector struct {
	component.StartFunc
	component.ShutdownFunc
	leader atomic.Bool
}

func (f *fakeElector) IsLeader() bool { return f.leader.Load() }

type extensionsHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h extensionsHost) GetExtensions() map[component.ID]component.Component { return h.exts }

var _ extension.Extension = (*fakeElector)(nil)

// TestStandbySendsNoRequestUntilLeader: while the elector says standby, not one
// request reaches Okta; once it reports leadership, the request goes through.
func TestStandbySendsNoRequestUntilLeader(t *testing.T) {
	var hits atomic.Int32
	org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	defer org.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = org.URL
	cfg.APIToken = "leader-test-token"
	c, err := newOktaClient(cfg, &http.Client{}, component.NewDefaultBuildInfo())
	if err != nil {
		t.Fatal(err)
	}
	el := &fakeElector{}
	c.leader = &leaderGate{elector: el, interval: 10 * time.Millisecond}

	done := make(chan error, 1)
	go func() {
		_, err := c.get(context.Background(), "/api/v1/users")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Fatalf("a standby sent %d requests to Okta", n)
	}
	el.leader.Store(true)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("request after becoming leader: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request did not go out after the replica became leader")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("want 1 request once leader, got %d", n)
	}

	// A standby whose context ends gives up without a request.
	el.leader.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.get(ctx, "/api/v1/users"); err == nil {
		t.Fatal("want the context error while standby")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("a standby sent a request: %d", n)
	}
}

func TestResolveLeaderElectorErrorsNameTheKey(t *testing.T) {
	id := component.MustNewID("okta_leader_elector")
	other := component.MustNewID("health_check")
	host := extensionsHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{
		id:    &fakeElector{},
		other: componenttest.NewNopHost().GetExtensions()[other],
	}}
	if _, err := resolveLeaderElector(host, id); err != nil {
		t.Fatalf("a leader elector: %v", err)
	}
	_, err := resolveLeaderElector(host, component.MustNewID("missing"))
	if err == nil || !strings.Contains(err.Error(), "leader_elector") || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("missing extension: %v", err)
	}
	host.exts[other] = struct{ component.Component }{}
	_, err = resolveLeaderElector(host, other)
	if err == nil || !strings.Contains(err.Error(), "not a leader elector") {
		t.Fatalf("wrong extension type: %v", err)
	}
}
