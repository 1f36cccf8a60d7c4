package inventory

import (
	"errors"
	"fmt"
	"sync"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// ErrTypeSkipped marks a listing whose answer means "not here": the org does not serve
// the resource type, or this credential may not read it. The type is reported once and
// skipped until the next full sync, which asks again.
var ErrTypeSkipped = errors.New("resource type skipped")

// classify wraps err with ErrTypeSkipped when it is an answer meaning "not here"
// (oktaapi.NotHere); any other error is a failure of this sync only.
func classify(err error) error {
	if oktaapi.NotHere(err) {
		return fmt.Errorf("%w: %w", ErrTypeSkipped, err)
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
