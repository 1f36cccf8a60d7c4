package oktareceiver

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// errTypeSkipped marks a listing whose answer means "not here": the org does not serve
// the resource type, or this credential may not read it. The type is reported once and
// skipped until the next full sync, which asks again.
var errTypeSkipped = errors.New("resource type skipped")

// classify tells whether err, the error of a list or singleton request, is an answer
// meaning "not here", and wraps it with errTypeSkipped when it is:
//   - 403, whatever the code (E0000006: no permission for the action);
//   - 400 E0000002: request not valid (e.g. a policy type the org's engine lacks);
//   - 401 E0000015: feature not enabled for the org;
//   - 404, whatever the code (E0000007 resource not found, E0000008 path not found,
//     E0000026 endpoint deprecated): the callers have already handled a 404 on a child
//     path, which means the parent is gone;
//   - 410 (E0000215: endpoint no longer available) and 501 (E0000052 not implemented,
//     E0000060 unsupported operation).
//
// Any other error (401 bad token, 429, 5xx, transport) is a failure of this sync only.
func classify(err error) error {
	ae := asAPIError(err)
	if ae == nil {
		return err
	}
	switch {
	case ae.Status == http.StatusForbidden,
		ae.Status == http.StatusBadRequest && ae.Code == "E0000002",
		ae.Status == http.StatusUnauthorized && ae.Code == errCodeFeatureNotEnabled,
		ae.Status == http.StatusNotFound,
		ae.Status == http.StatusGone,
		ae.Status == http.StatusNotImplemented:
		return fmt.Errorf("%w: %w", errTypeSkipped, err)
	}
	return err
}

// skipSet holds the resource types the current full sync found "not here". Incremental
// syncs and event-driven refetches leave them alone until the next full sync asks again.
// The zero value is ready to use.
type skipSet struct {
	mu    sync.Mutex
	types map[string]bool
}

// reset forgets every skip: a full sync starts by asking for every type again.
func (s *skipSet) reset() {
	s.mu.Lock()
	s.types = nil
	s.mu.Unlock()
}

func (s *skipSet) add(typ string) {
	s.mu.Lock()
	if s.types == nil {
		s.types = map[string]bool{}
	}
	s.types[typ] = true
	s.mu.Unlock()
}

// has reports whether typ is skipped until the next full sync.
func (s *skipSet) has(typ string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.types[typ]
}
