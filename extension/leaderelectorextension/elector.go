package leaderelectorextension

// LeaderElector is what the okta_leader_elector extension offers to other components. A component finds it
// with host.GetExtensions()[id] and a type assertion to this interface.
//
// A receiver that supports it checks IsLeader before each poll and skips the poll when it is false, so that
// only the lease holder talks to Okta; OnChange lets it react at once (reload checkpoints when it becomes
// leader, stop in-flight work when it loses the lease).
type LeaderElector interface {
	// IsLeader reports whether this replica holds the lease right now.
	IsLeader() bool
	// OnChange registers fn, called with true when this replica becomes leader and with false when it stops
	// being leader. fn is called from the election goroutine, one call at a time, and must not block long.
	// If the replica already leads when OnChange is called, fn(true) is called before OnChange returns.
	// The returned function unregisters fn.
	OnChange(fn func(isLeader bool)) (unregister func())
}
