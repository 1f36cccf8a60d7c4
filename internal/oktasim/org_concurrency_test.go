package oktasim

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestOrgConcurrentMutationsAndReads pages through users and groups while
// the control API creates, updates and deletes; run with -race it checks
// the store's locking, and every read must still be a well-formed page.
func TestOrgConcurrentMutationsAndReads(t *testing.T) {
	s := startOrgSim(t, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 2 {
		wg.Go(func() {
			for i := range 15 {
				resp, b := s.do("POST", "/_sim/resources/group", fmt.Sprintf(`{"profile":{"name":"c-%d-%d"}}`, w, i))
				if resp.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("create group: %d %s", resp.StatusCode, b)
					return
				}
				var g map[string]any
				orgDecode(t, b, &g)
				id := g["id"].(string)
				if r, b := s.do("PATCH", "/_sim/resources/group/"+id, `{"profile":{"description":"x"}}`); r.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("patch group: %d %s", r.StatusCode, b)
				}
				if r, b := s.do("DELETE", "/_sim/resources/group/"+id, ""); r.StatusCode != http.StatusNoContent {
					errs <- fmt.Errorf("delete group: %d %s", r.StatusCode, b)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 5 {
				users, _ := s.listAll("/api/v1/users?limit=60")
				groups, _ := s.listAll("/api/v1/groups?limit=9&expand=stats")
				if len(users) == 0 || len(groups) == 0 {
					errs <- fmt.Errorf("empty listing: %d users, %d groups", len(users), len(groups))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(s.sim.GroundTruth().IDs[typeGroup]); n != 30 {
		t.Errorf("after create+delete pairs the org has %d groups, want 30", n)
	}
}
