// Package oktasim is a faithful, in-process simulator of an Okta org: the
// management API (resources, pagination, queries, auth, rate limits), the
// System Log (polling and bounded queries, late-persisted events), event hook
// deliveries, and a control API for mutations and fault injection.
//
// The behaviour follows Okta's public documentation and OpenAPI spec; see the
// "Okta org simulator" section of the repository README for what is modelled.
// Tests and benchmarks start it with New and Server.Start; cmd/oktasim runs
// it as a program.
package oktasim
