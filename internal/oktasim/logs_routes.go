package oktasim

import "net/http"

// registerLogRoutes registers GET /api/v1/logs.
func (s *Server) registerLogRoutes(mux *http.ServeMux) {}

// registerLogControlRoutes registers /_sim/events and /_sim/hooks.
func (s *Server) registerLogControlRoutes(mux *http.ServeMux) {}
