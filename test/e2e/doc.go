// Package e2e runs the built otelcol-okta and oktasim binaries against each
// other, the way a user runs them, and checks what reaches the exporters.
//
// The binaries come from OTELCOL_OKTA_BIN and OKTASIM_BIN (`make test` sets
// both); when unset, TestMain builds them into a temporary folder.
package e2e
