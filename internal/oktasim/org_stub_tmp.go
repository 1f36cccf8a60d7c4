package oktasim

import (
	"math/rand/v2"
	"net/http"
)

func newOrgStore(o OrgOptions) (*orgStore, error) { return &orgStore{opts: o}, nil }

func (s *Server) registerOrgRoutes(mux *http.ServeMux)        {}
func (s *Server) registerOrgControlRoutes(mux *http.ServeMux) {}

// GroundTruth is the simulator's view of what exists.
type GroundTruth struct{}

func (s *Server) GroundTruth() GroundTruth { return GroundTruth{} }

func (o *orgStore) Sample(rng *rand.Rand, kind string) (EventTarget, bool) { return EventTarget{}, false }
