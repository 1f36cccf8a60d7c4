// Package systemlog brings the Okta System Log into the pipeline as log records, by two paths
// that share one dedupe window and one checkpoint:
//
//   - Poller reads GET /api/v1/logs in polling mode (since once, then only next links) and
//     delivers each page once; the checkpoint moves only after the pipeline accepted the page.
//   - HookServer receives Okta event hook deliveries (verification GET and delivery POST).
//
// The receiver builds one Params (with one Shared) for both, reads their counters through
// Stats for its metrics, and is told through Params.OnChanges which inventory objects the
// delivered events say changed (Changes). Config and HooksConfig are the system_log and
// event_hooks sections of the receiver's configuration, with their defaults and checks.
// The package does not import the receiver: it takes plain parameters.
package systemlog
