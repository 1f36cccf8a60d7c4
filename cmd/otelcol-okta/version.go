package main

// This file is not generated: ocb writes main.go, main_others.go, main_windows.go and
// components.go only, so it survives `make generate`. builder-config.yaml's dist.version
// makes the generated main call buildVersion() for component.BuildInfo.Version, which is
// what `otelcol-okta --version` prints and what the collector reports as service.version.

import "runtime/debug"

// version and commit identify the build. `make build` and the release configuration
// (.goreleaser.yaml) set them at link time:
//
//	-ldflags "-X main.version=$(git describe --tags --always --dirty) -X main.commit=$(git rev-parse HEAD)"
//
// A plain `go build` keeps these defaults (and takes the commit from the Go toolchain's
// VCS stamp when there is one).
var (
	version = "0.1.0-dev"
	commit  = ""
)

// buildVersion is the version string of the distribution: the version, then the commit
// it was built from, e.g. "v0.2.0 (commit 3f2a…)".
func buildVersion() string {
	c := commit
	if c == "" {
		c = vcsRevision()
	}
	if c == "" {
		c = "unknown"
	}
	return version + " (commit " + c + ")"
}

// vcsRevision is the commit the Go toolchain recorded in the binary (go build -buildvcs),
// or "".
func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}
