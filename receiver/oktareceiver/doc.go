// Package oktareceiver implements the "okta" receiver: it turns an Okta org into
// OpenTelemetry logs (inventory snapshots and changes of every resource type,
// System Log events) and metrics (inventory counts, API usage, rate-limit budget).
//
// The inventory part (this file's siblings config.go, client.go, inventory*.go,
// convert_inventory*.go, scraper.go) lists every enabled resource type at start
// and every full_sync_interval, applies lastUpdated deltas every
// incremental_interval, and refetches objects that System Log events name.
//
//go:generate go tool mdatagen metadata.yaml
package oktareceiver
