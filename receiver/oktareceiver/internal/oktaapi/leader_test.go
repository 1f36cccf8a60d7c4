package oktaapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

type fakeElector struct {
	leader atomic.Bool
	asked  atomic.Int32
}

func (f *fakeElector) IsLeader() bool {
	f.asked.Add(1)
	return f.leader.Load()
}

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
	el := &fakeElector{}
	c, err := New(Params{Endpoint: org.URL, HTTP: &http.Client{}, Auth: APIToken("leader-test-token"), Budget: 0.5,
		Leader: el, LeaderCheckInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := c.Fetch(context.Background(), "/api/v1/users")
		done <- err
	}()
	// The gate asks the elector before every attempt: after several answers "standby", the
	// request would have gone out if the gate let it.
	deadline := time.Now().Add(5 * time.Second)
	for el.asked.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := el.asked.Load(); n < 5 {
		t.Fatalf("the gate asked the elector %d times", n)
	}
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
	if _, err := c.Fetch(ctx, "/api/v1/users"); err == nil {
		t.Fatal("want the context error while standby")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("a standby sent a request: %d", n)
	}
}
