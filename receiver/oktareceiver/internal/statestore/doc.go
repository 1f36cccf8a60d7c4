// Package statestore keeps the okta receiver's inventory state in a storage extension
// (go.opentelemetry.io/collector/extension/xextension/storage), so that the first full sync
// after a restart reports what changed while the collector was down.
//
// The storage API has no key iteration, so the layout is addressed by a manifest:
//
//	okta.inventory.v1/manifest          format version, org id, resource selection digest,
//	                                    epoch, and per resource type its bucket count,
//	                                    full-sync generation and whether it was synced
//	okta.inventory.v1/<type>/<n>/<i>    the records of the objects of <type> whose id hashes
//	                                    to bucket <i> of <n> (xxhash of the id, modulo n)
//
// A changed object rewrites only its bucket. The writes of one Commit (buckets, manifest and
// the caller's own keys, e.g. incremental watermarks) are one storage Batch, which file_storage
// runs as one transaction, unless the bucket values exceed 4 MiB (Commit says how such a
// write is split, and why it stays consistent): a kill at any moment loses no change. Each value ends with a CRC-32C checksum, and each bucket carries the
// manifest's epoch, so that a damaged value or a bucket left over from an older state is
// recognised; the caller then sets the whole state aside (SetAside) and starts afresh.
//
// Buckets are sized when written: a type has the smallest power-of-two count that keeps the
// average at TargetPerBucket records, doubled while a bucket would hold more than
// MaxPerBucket. A doubling rewrites every bucket of the type once (amortised like a growing
// hash table); the count never shrinks.
package statestore
