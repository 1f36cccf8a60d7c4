package statestore

import "github.com/cespare/xxhash/v2"

// Record is what the store keeps about one inventory object. It holds only stable values
// (strings and hashes), never the process-local ids of the in-memory state.
type Record struct {
	ID      string
	Content uint64   // hash of the whole object
	Paths   []string // sorted field paths of the object
	Hashes  []uint16 // 16-bit hash of the value at each path, in Paths order
	Parent  string
	Dim     string // metric dimensions
	Name    string // kept name ("" when the type keeps none)
	Value   int64  // numeric side value (a group's member count)
	Audit   string // the audited field values, encoded by the caller (opaque here)
}

// TypeMeta is what the manifest says about one resource type.
type TypeMeta struct {
	Buckets int    `json:"buckets"`
	Gen     uint32 `json:"gen"`    // full-sync generation of the last persisted sync
	Synced  bool   `json:"synced"` // a full sync of the type completed
}

// Bucket sizing: see the package documentation.
const (
	TargetPerBucket = 64
	MaxPerBucket    = 128
	maxBuckets      = 1 << 20 // per type; a manifest with more is damaged
)

// BucketOf returns the bucket of id among n (a power of two).
func BucketOf(id string, n int) int {
	return int(xxhash.Sum64String(id) & uint64(n-1))
}

// bucketCount returns the smallest power of two that keeps count records at an average of
// at most TargetPerBucket per bucket, and at least current (counts never shrink).
func bucketCount(count, current int) int {
	n := 1
	for n*TargetPerBucket < count {
		n *= 2
	}
	return max(n, current, 1)
}
