// Package inventory keeps an Okta org's resources in view and emits them as log records:
//
//   - a full sync lists every enabled resource type (the table of internal/resource says how)
//     and emits one snapshot record per object, and a "deleted" change for what disappeared;
//   - an incremental sync asks the types that support it for objects updated since the last
//     sync and emits the changes;
//   - HandleChanges takes the objects System Log events say changed and refetches them from a
//     bounded queue, after the first full sync.
//
// Between syncs it keeps a compact state on the Go heap (per object a fingerprint and the
// audited fields' values), so change records carry before and after values, and it persists
// that state in the storage extension (internal/statestore) so changes survive restarts. The
// receiver builds Settings from its configuration and reads the snapshots (counts, stats)
// for its metrics; the package never imports the receiver.
package inventory
