package userdistro

import (
	"strings"
)

// userManifest is the ocb manifest of a team's own collector: a contrib subset that is typical
// for a logs-and-metrics gateway, plus our three components. {{OUT}} is the output folder and
// {{REPO}} this clone; the replaces are what the README tells a user who builds from a clone (a
// released version needs none of them).
const userManifest = `dist:
  module: example.com/acme/otelcol-acme
  name: otelcol-acme
  description: A team's collector with the otelcol-okta components
  version: 1.0.0
  output_path: {{OUT}}

receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver v0.161.0
  - gomod: github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver v0.0.0

processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor v0.161.0
  - gomod: go.opentelemetry.io/collector/processor/memorylimiterprocessor v0.161.0
  - gomod: github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor v0.0.0

exporters:
  - gomod: go.opentelemetry.io/collector/exporter/otlpexporter v0.161.0
  - gomod: go.opentelemetry.io/collector/exporter/otlphttpexporter v0.161.0
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter v0.161.0
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusexporter v0.161.0

extensions:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage v0.161.0
  - gomod: github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension v0.0.0

replaces:
  - github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver => {{REPO}}/receiver/oktareceiver
  - github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor => {{REPO}}/processor/rulesprocessor
  - github.com/otelcol-okta/otelcol-okta/extension/leaderelectorextension => {{REPO}}/extension/leaderelectorextension
`

// userConfig runs the build the way such a team would: okta records through memory_limiter,
// rules and batch to an OTLP/HTTP backend ({{SINK}}, the test's sink) and, over OTLP/gRPC, to the
// build's own otlp receiver ({{OTLP}}) whose pipeline ends in the debug exporter; okta metrics to
// the prometheus exporter ({{PROM}}). The receiver keeps its checkpoints in file_storage.
const userConfig = `extensions:
  file_storage:
    directory: {{DIR}}/storage
    create_directory: true

receivers:
  okta:
    endpoint: {{OKTA}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage
    system_log:
      poll_interval: 2s
      initial_lookback: 1h
  otlp:
    protocols:
      grpc:
        endpoint: {{OTLP}}

processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  rules:
    packs: [okta-posture, okta-detections]
  batch:
    timeout: 200ms

exporters:
  otlp_http:
    endpoint: {{SINK}}
    compression: none
  otlp_grpc:
    endpoint: {{OTLP}}
    tls:
      insecure: true
  debug:
    verbosity: basic
  prometheus:
    endpoint: {{PROM}}

service:
  extensions: [file_storage]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs/okta:
      receivers: [okta]
      processors: [memory_limiter, rules, batch]
      exporters: [otlp_http, otlp_grpc]
    logs/loopback:
      receivers: [otlp]
      exporters: [debug]
    metrics/okta:
      receivers: [okta]
      processors: [memory_limiter, batch]
      exporters: [prometheus]
`

// fill replaces every {{KEY}} of tmpl by its value.
func fill(tmpl string, values map[string]string) string {
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{{"+k+"}}", v)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}
