//go:generate go tool mdatagen metadata.yaml

// Package rulesprocessor implements the "rules" processor: it evaluates
// OTTL posture rules and System Log detections (shipped packs plus user
// rules) on the log records of the okta receiver, tags the evaluated records
// with their compliance status, emits one okta.compliance.finding record per
// violation, and keeps the set of resources failing each posture rule so
// that a periodic okta.compliance.summary record can feed a gauge.
package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"
