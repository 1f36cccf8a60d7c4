package oktareceiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// systemLogCheckpointKey is the storage key of the System Log checkpoint. Never rename it:
// a renamed key silently restarts every deployment from initial_lookback.
const systemLogCheckpointKey = "system_log_checkpoint"

// systemLogCheckpointVersion is bumped when the record changes incompatibly.
const systemLogCheckpointVersion = 1

// systemLogCheckpoint is the resume point of the System Log, saved only after the downstream
// consumer accepted the events it covers.
type systemLogCheckpoint struct {
	Version int `json:"version"`
	// OrgURL and Filter describe the query the cursor belongs to; a cursor of another org or
	// another filter is not resumed.
	OrgURL string `json:"org_url"`
	Filter string `json:"filter,omitempty"`
	// NextURL is the opaque `next` link to request next ("" before the first page).
	NextURL string `json:"next_url,omitempty"`
	// LastPublished is the newest `published` delivered; the fallback start when the cursor
	// cannot be used (since = LastPublished − safety margin, duplicates removed by uuid).
	LastPublished time.Time `json:"last_published"`
	// RecentUUIDs is the dedupe window, oldest first. When every uuid is a canonical UUID it is
	// stored as RecentUUIDsBin instead (checkpoint_uuids.go); loading always fills RecentUUIDs.
	RecentUUIDs []string `json:"recent_uuids,omitempty"`
	// RecentUUIDsBin is the stored form of a window of canonical UUIDs: 16 bytes each, oldest
	// first. When set on save it is written as is (RecentUUIDs must then be empty); load always
	// turns it into RecentUUIDs.
	RecentUUIDsBin []byte `json:"recent_uuids_bin,omitempty"`
}

// loadSystemLogCheckpoint reads the checkpoint; (nil, nil) when none was saved yet.
func loadSystemLogCheckpoint(ctx context.Context, client storage.Client) (*systemLogCheckpoint, error) {
	raw, err := client.Get(ctx, systemLogCheckpointKey)
	if err != nil {
		return nil, fmt.Errorf("read System Log checkpoint: %w", err)
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var cp systemLogCheckpoint
	if err := json.Unmarshal(raw, &cp); err != nil {
		return nil, fmt.Errorf("decode System Log checkpoint: %w", err)
	}
	if cp.Version != systemLogCheckpointVersion {
		return nil, fmt.Errorf("decode System Log checkpoint: unsupported version %d", cp.Version)
	}
	if cp.RecentUUIDsBin != nil {
		if len(cp.RecentUUIDs) > 0 {
			return nil, errors.New("decode System Log checkpoint: both recent_uuids and recent_uuids_bin are set")
		}
		ids, err := unpackUUIDs(cp.RecentUUIDsBin)
		if err != nil {
			return nil, fmt.Errorf("decode System Log checkpoint: %w", err)
		}
		cp.RecentUUIDs, cp.RecentUUIDsBin = ids, nil
	}
	return &cp, nil
}

// saveSystemLogCheckpoint writes the checkpoint (the window packed when it can be).
func saveSystemLogCheckpoint(ctx context.Context, client storage.Client, cp *systemLogCheckpoint) error {
	cp.Version = systemLogCheckpointVersion
	wire := *cp
	if wire.RecentUUIDsBin == nil {
		wire.RecentUUIDs, wire.RecentUUIDsBin = packUUIDs(cp.RecentUUIDs)
	}
	raw, err := json.Marshal(&wire)
	if err != nil {
		return fmt.Errorf("encode System Log checkpoint: %w", err)
	}
	if err := client.Set(ctx, systemLogCheckpointKey, raw); err != nil {
		return fmt.Errorf("write System Log checkpoint: %w", err)
	}
	return nil
}
