# otelcol-okta — build, demo, test.
# `make demo` runs the collector on the bundled Okta simulator; `make test` runs the tests.

GO        ?= go
# go.mod names the toolchain (go1.26.10: the standard-library fixes govulncheck asks for);
# `auto` lets an older local Go fetch it from the module proxy once.
GOTOOLCHAIN ?= auto
export GOTOOLCHAIN
BIN       := bin
COLLECTOR := $(BIN)/otelcol-okta
SIM       := $(BIN)/oktasim
# Our own packages of the root module (the generated distribution main is compiled by `build`,
# not vetted/linted).
PKGS      := ./internal/... ./cmd/oktasim/... ./scripts/... ./test/...
# The components that are Go modules of their own (users add them to their collector builds one by
# one). `go test ./...` at the root does not enter them: every target below loops over them.
COMPONENT_MODULES := receiver/oktareceiver processor/rulesprocessor extension/leaderelectorextension
# Test-only modules: the receiver's simulator-backed tests, kept out of the receiver's module so
# that it never depends on the simulator. They are tested, vetted and linted like the others.
TEST_MODULES := receiver/oktareceiver/internal/simtest
# in_modules CMD runs CMD (a go subcommand and its arguments) in every component module, stopping at
# the first failure.
in_modules = set -e; for m in $(COMPONENT_MODULES) $(TEST_MODULES); do echo "==> $$m: go $(1)"; $(GO) -C $$m $(1); done
GOLANGCI_VERSION := v2.15.0
# The version and commit stamped into bin/otelcol-okta (`otelcol-okta --version`), from git.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# Static binaries (no libc): the same build runs on any Linux and in the FROM-scratch image.
BUILD_ENV := CGO_ENABLED=0

.PHONY: all build demo test test-unit bench lint vulncheck generate clean

all: build

build: $(COLLECTOR) $(SIM)

$(COLLECTOR): FORCE
	@mkdir -p $(BIN)
	$(BUILD_ENV) $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(COLLECTOR) ./cmd/otelcol-okta

$(SIM): FORCE
	@mkdir -p $(BIN)
	$(BUILD_ENV) $(GO) build -trimpath -o $(SIM) ./cmd/oktasim

FORCE:

## demo: the collector on the bundled simulator (config/demo.yaml); Ctrl-C stops both.
demo: build
	./scripts/demo.sh

## test: every test, including the end-to-end ones that run the built binaries.
test: build
	@$(call in_modules,test -count=1 -timeout 20m ./...)
	OTELCOL_OKTA_BIN=$(CURDIR)/$(COLLECTOR) OKTASIM_BIN=$(CURDIR)/$(SIM) $(GO) test -count=1 -timeout 40m $(PKGS)

## test-unit: the package tests only (no binaries needed).
test-unit:
	@$(call in_modules,test -count=1 ./...)
	$(GO) test -count=1 ./internal/...

## bench: every benchmark (see BENCHMARKS.md).
bench: build
	./scripts/bench.sh

## chaos: kill -9, Okta faults and backend outages; reports lost/duplicated events and missing objects (CHAOS_DURATION, default 120s).
.PHONY: chaos
chaos: build
	./scripts/chaos.sh

## vulncheck: govulncheck on the built binaries (every module's code that ships), then on the
## sources of each component module at the versions its own go.mod selects (what a user's build
## starts from), with a database built from golang.org/x/vulndb.
vulncheck: build
	./scripts/vulncheck.sh
	@set -e; for m in $(COMPONENT_MODULES); do echo "==> $$m: govulncheck"; ./scripts/vulncheck.sh -C $$m ./...; done

## release-check: validate .goreleaser.yaml (goreleaser is pinned in internal/tools/goreleaser).
GORELEASER := $(GO) tool -modfile=internal/tools/goreleaser/go.mod goreleaser
# goreleaser reads the repository's remote URL (for display only) and gives up on the git state
# without one: a clone or worktree without a remote gets the project's URL through git's
# environment configuration.
GORELEASER := $(if $(shell git remote 2>/dev/null),,GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/otelcol-okta/otelcol-okta.git) $(GORELEASER)
.PHONY: release-check release-snapshot image
release-check:
	$(GORELEASER) check

## release-snapshot: the release pipeline (binary, archive, SBOM, checksums) as a snapshot for this
## machine's platform only, into dist/ (what CI runs). `goreleaser release` has no --single-target:
## the build matrix of .goreleaser.yaml is narrowed to this platform in a temporary copy. The
## six-platform snapshot: $(GORELEASER) release --snapshot --clean
HOST_OS   = $(shell $(GO) env GOOS)
HOST_ARCH = $(shell $(GO) env GOARCH)
release-snapshot: release-check
	@cfg=$$(mktemp --suffix=.yaml) && trap 'rm -f "$$cfg"' EXIT && \
	  sed -e 's/^    goos: .*/    goos: [$(HOST_OS)]/' -e 's/^    goarch: .*/    goarch: [$(HOST_ARCH)]/' .goreleaser.yaml > "$$cfg" && \
	  grep -q '^    goos: \[$(HOST_OS)\]$$' "$$cfg" && grep -q '^    goarch: \[$(HOST_ARCH)\]$$' "$$cfg" || \
	    { echo "release-snapshot: could not narrow the builds of .goreleaser.yaml to $(HOST_OS)/$(HOST_ARCH)" >&2; exit 1; }; \
	  $(GORELEASER) release --snapshot --clean --skip=publish -f "$$cfg"
	@find dist -maxdepth 2 -type f | sort
	@bin=$$(find dist -type f -name otelcol-okta | head -n1); $$bin --version; \
	  $$bin --version | grep -qF "commit $$(git rev-parse HEAD))" || { echo "$$bin: --version lacks the commit" >&2; exit 1; }

## image: the container image as an image tarball, built without a container daemon
## (dist/otelcol-okta-image.tar; docker load -i, crane push or skopeo copy take it).
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
image:
	@mkdir -p dist/image
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -o dist/image/otelcol-okta ./cmd/otelcol-okta
	$(GO) run ./internal/tools/imagetar -binary dist/image/otelcol-okta -arch $(IMAGE_ARCH) \
	  -version '$(VERSION)' -commit '$(COMMIT)' -tag 'otelcol-okta:$(VERSION)' -out dist/otelcol-okta-image.tar

lint:
	@$(call in_modules,vet ./...)
	$(GO) vet $(PKGS)
	@$(call in_modules,run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION) run ./...)
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION) run $(PKGS)

## generate: mdatagen for our components (code, documentation.md, the README status tables), ocb
## for cmd/otelcol-okta. mdatagen is a tool of the root go.mod and runs from the root for every
## component, module of its own or not; it writes next to each metadata.yaml.
generate:
	@set -e; for m in $(COMPONENT_MODULES); do echo "==> $$m: mdatagen"; $(GO) tool mdatagen $$m/metadata.yaml; done
	./scripts/generate-distribution.sh cmd/otelcol-okta

clean:
	rm -rf $(BIN) dist
