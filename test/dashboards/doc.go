// Package dashboards tests what SRE teams plug into: the Grafana dashboards and Prometheus rules of
// deploy/, the production example configs of config/, and, end to end, a real Prometheus server that
// scrapes the collector running on the Okta simulator.
//
// The tests run the built binaries from OTELCOL_OKTA_BIN and OKTASIM_BIN (`make test` sets both) or
// build them once into a temporary directory. Prometheus and promtool come from the PATH (the Debian
// package `prometheus`); without them the tests fail when CI=true and skip otherwise.
package dashboards
