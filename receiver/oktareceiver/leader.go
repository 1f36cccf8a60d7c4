package oktareceiver

import (
	"fmt"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
)

// resolveLeaderElector finds the extension named by the leader_elector key: a leader-election
// extension such as okta_leader_elector, which tells whether this replica holds the lease.
func resolveLeaderElector(host component.Host, id component.ID) (oktaapi.Leader, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q is not configured in service.extensions", id)
	}
	le, ok := ext.(oktaapi.Leader)
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q is not a leader elector", id)
	}
	return le, nil
}
