// Package userdistro builds a collector the way our users do: an ocb manifest of their own with a
// typical contrib subset plus the okta receiver, the rules processor and the leader elector
// extension taken from this clone (ocb `replaces`), then validates a configuration with that
// build and runs it against the Okta simulator (bin/oktasim, from OKTASIM_BIN) until the okta
// records reach its exporters.
//
// The build uses the caller's Go build and module caches (GOCACHE, GOMODCACHE): with the caches
// of `make build` warm, it compiles little more than the generated main package and links.
package userdistro
