package oktaapi

import (
	"context"
	"time"
)

// Leader is what the client needs from a leader-election extension such as
// okta_leader_elector: whether this replica holds the lease right now.
type Leader interface {
	IsLeader() bool
}

// defaultLeaderCheckInterval is how often a standby replica checks whether it became leader.
const defaultLeaderCheckInterval = time.Second

// leaderGate holds back every Okta request while this replica is a standby, so that only the
// lease holder polls Okta (inventory and System Log alike). A nil gate never blocks.
type leaderGate struct {
	elector  Leader
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
