package oktaapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestRedirectToForeignOriginIsRefused proves that a 3xx pointing at another
// origin (here: the same host name on another port) is not followed, so the
// SSWS token never reaches it, while a same-origin redirect still works.
func TestRedirectToForeignOriginIsRefused(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		foreignHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer foreign.Close()

	org := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/users":
			http.Redirect(w, r, foreign.URL+"/api/v1/users", http.StatusFound)
		case "/api/v1/groups":
			http.Redirect(w, r, "/api/v1/groups/moved", http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[]`))
		}
	}))
	defer org.Close()

	c, err := New(Params{Endpoint: org.URL, HTTP: &http.Client{}, Auth: APIToken("redirect-test-token"), Budget: 0.5})
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.Fetch(context.Background(), "/api/v1/users")
	if !errors.Is(err, ErrForeignLink) {
		t.Fatalf("redirect to a foreign origin: got %v, want ErrForeignLink", err)
	}
	if n := foreignHits.Load(); n != 0 {
		t.Fatalf("the foreign origin received %d requests", n)
	}
	if _, err := c.Fetch(context.Background(), "/api/v1/groups"); err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}
}
