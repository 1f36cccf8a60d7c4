// Package leaderelectorextension provides the okta_leader_elector extension: active/passive high
// availability for the okta receiver through a Kubernetes Lease, built on client-go's leader election.
//
// Every replica runs the extension with the same lease_name and lease_namespace. Exactly one of them holds
// the lease at a time; components ask it through the LeaderElector interface (IsLeader, OnChange) and only
// the lease holder's okta receiver polls Okta. When the holder stops (shutdown releases the lease) or dies
// (the lease expires after lease_duration), another replica takes over.
//
//go:generate go tool mdatagen metadata.yaml
package leaderelectorextension // import "github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension"
