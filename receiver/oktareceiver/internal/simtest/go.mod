// Module simtest holds the receiver's tests that run against the Okta simulator. It is a
// module of its own so that the receiver module never depends on the simulator: a collector
// that imports the receiver does not download the simulator or its dependencies. Its path sits
// under the receiver's, so its tests may use the receiver's internal packages.
module github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest

go 1.26.0

toolchain go1.26.10

require (
	github.com/otelcol-okta/otelcol-okta v0.0.0
	github.com/stretchr/testify v1.12.1
	go.opentelemetry.io/collector/consumer/consumertest v0.161.0
	go.opentelemetry.io/collector/pdata v1.67.0
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.3-0.20250322232337-35a7c28c31ee // indirect
	go.opentelemetry.io/collector/consumer v1.67.0 // indirect
	go.opentelemetry.io/collector/consumer/xconsumer v0.161.0 // indirect
	go.opentelemetry.io/collector/featuregate v1.67.0 // indirect
	go.opentelemetry.io/collector/pdata/pprofile v0.161.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

// The simulator lives in the repository's root module; the components are built from their
// folders, as in the root module.
replace (
	github.com/otelcol-okta/otelcol-okta => ../../../..
	github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension => ../../../../extension/leaderelectorextension
	github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor => ../../../../processor/rulesprocessor
	go.opentelemetry.io/collector/internal/schemagen v0.161.0 => go.opentelemetry.io/collector/internal/schemagen v0.159.0
)
