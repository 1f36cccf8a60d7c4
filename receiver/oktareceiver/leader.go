package oktareceiver

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
)

// leaderElector is what the receiver needs from a leader-election extension such as
// okta_leader_elector: whether this replica holds the lease right now.
type leaderElector interface {
	IsLeader() bool
}

// leaderCheckInterval is how often a standby replica checks whether it became leader.
const leaderCheckInterval = time.Second

// leaderGate holds back every Okta request while this replica is a standby, so that
// only the lease holder polls Okta (inventory and System Log alike). A nil gate, or
// one without an elector, never blocks.
type leaderGate struct {
	elector  leaderElector
	interval time.Duration
}

// wait returns once this replica is the leader, or with ctx's error.
func (g *leaderGate) wait(ctx context.Context) error {
	if g == nil || g.elector == nil {
		return nil
	}
	for !g.elector.IsLeader() {
		t := time.NewTimer(g.interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// resolveLeaderElector finds the extension named by the leader_elector key.
func resolveLeaderElector(host component.Host, id component.ID) (leaderElector, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q is not configured in service.extensions", id)
	}
	le, ok := ext.(leaderElector)
	if !ok {
		return nil, fmt.Errorf("leader_elector: extension %q is not a leader elector", id)
	}
	return le, nil
}
