package systemlog

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// The System Log checkpoint is stored as two alternating copies, each with a sequence number
// and a CRC-32C of its content, plus a small resume marker written in the same transaction:
//
//   - system_log_checkpoint.0 / .1: save number n goes to copy n%2, so a damaged copy leaves
//     the previous save intact in the other one;
//   - system_log_resume_marker: the cursor and last published time of the latest save,
//     without the dedupe window (a few hundred bytes). With the newest copy damaged it
//     still gives the exact cursor; with both copies damaged it is the position to resume.
//
// Records written by earlier versions under systemLogCheckpointKey (plain JSON, no checksum)
// are still read, so an upgrade resumes where it stopped; the first save in the new form
// deletes that key.
const (
	// systemLogCheckpointKey is the single-copy record of earlier versions. Never reuse it.
	systemLogCheckpointKey = "system_log_checkpoint"
	systemLogMarkerKey     = "system_log_resume_marker"
)

// systemLogCopyKeys are the two alternating copies; save number n is written to key n%2.
var systemLogCopyKeys = [2]string{"system_log_checkpoint.0", "system_log_checkpoint.1"}

// systemLogCheckpointVersion is bumped when the record changes incompatibly.
const systemLogCheckpointVersion = 1

// checkpointMagic starts every checksummed record: magic, sequence (8 bytes, big endian),
// CRC-32C of sequence and payload (4 bytes, big endian), then the JSON payload.
var checkpointMagic = []byte("OKTACP2\n")

const checkpointHeaderLen = 8 + 8 + 4

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// Checkpoint is the resume point of the System Log, saved only after the downstream
// consumer accepted the events it covers.
type Checkpoint struct {
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
	// turns it into RecentUUIDs. It stays the last field: encodeCheckpointRecord appends it
	// after the JSON of the others.
	RecentUUIDsBin []byte `json:"recent_uuids_bin,omitempty"`
}

// checkpointSource says where a loaded checkpoint came from, for the operator's log line.
type checkpointSource int

const (
	sourceNone   checkpointSource = iota // nothing recoverable: initial_lookback
	sourceCopy                           // the newest copy, intact
	sourceOlder                          // the older copy (the newer one is damaged) + the marker's cursor
	sourceMarker                         // the marker alone (both copies damaged)
	sourceLegacy                         // the single record of an earlier version
)

// checkpointLoad is what loadSystemLogCheckpoint found.
type checkpointLoad struct {
	// cp is the position to resume from; nil when nothing was recoverable.
	cp     *Checkpoint
	source checkpointSource
	// seq is the highest sequence number seen (the next save uses seq+1).
	seq uint64
	// damaged describes each record that exists but could not be used ("key: reason").
	damaged []string
	// empty is true when no checkpoint record exists at all.
	empty bool
	// legacy is true when the single record of an earlier version exists (deleted on save).
	legacy bool
}

// loadSystemLogCheckpoint reads both copies, the marker and the record of earlier versions in
// one storage transaction and picks the newest position recoverable. It fails only when the
// storage cannot be read at all; damaged records are reported in the result.
func loadSystemLogCheckpoint(ctx context.Context, client storage.Client) (checkpointLoad, error) {
	ops := []*storage.Operation{
		storage.GetOperation(systemLogCopyKeys[0]), storage.GetOperation(systemLogCopyKeys[1]),
		storage.GetOperation(systemLogMarkerKey), storage.GetOperation(systemLogCheckpointKey),
	}
	if err := client.Batch(ctx, ops...); err != nil {
		return checkpointLoad{}, fmt.Errorf("read System Log checkpoint: %w", err)
	}
	var res checkpointLoad
	type decoded struct {
		cp  *Checkpoint
		seq uint64
	}
	var copies [2]*decoded
	for i, op := range ops[:2] {
		if len(op.Value) == 0 {
			continue
		}
		cp, seq, err := decodeCheckpointRecord(op.Value)
		if err != nil {
			res.damaged = append(res.damaged, op.Key+": "+err.Error())
			continue
		}
		copies[i] = &decoded{cp, seq}
		res.seq = max(res.seq, seq)
	}
	var marker *decoded
	if raw := ops[2].Value; len(raw) > 0 {
		if cp, seq, err := decodeCheckpointRecord(raw); err != nil {
			res.damaged = append(res.damaged, systemLogMarkerKey+": "+err.Error())
		} else {
			marker = &decoded{cp, seq}
			res.seq = max(res.seq, seq)
		}
	}
	var legacy *Checkpoint
	if raw := ops[3].Value; len(raw) > 0 {
		res.legacy = true
		cp, err := decodeCheckpointPayload(raw)
		if err != nil {
			res.damaged = append(res.damaged, systemLogCheckpointKey+": "+err.Error())
		} else {
			legacy = cp
		}
	}
	res.empty = len(ops[0].Value) == 0 && len(ops[1].Value) == 0 && len(ops[2].Value) == 0 && len(ops[3].Value) == 0

	newest := copies[0]
	if newest == nil || (copies[1] != nil && copies[1].seq > newest.seq) {
		newest = copies[1]
	}
	switch {
	case newest != nil && (marker == nil || marker.seq <= newest.seq):
		res.cp, res.source = newest.cp, sourceCopy
	case newest != nil:
		// The marker is newer than every intact copy: the newest copy is damaged. Its cursor
		// and last published time are the marker's; the dedupe window is one save older.
		cp := *newest.cp
		cp.NextURL, cp.LastPublished, cp.OrgURL, cp.Filter = marker.cp.NextURL, marker.cp.LastPublished, marker.cp.OrgURL, marker.cp.Filter
		res.cp, res.source = &cp, sourceOlder
	case legacy != nil && len(ops[0].Value) == 0 && len(ops[1].Value) == 0:
		res.cp, res.source = legacy, sourceLegacy
	case marker != nil:
		res.cp, res.source = marker.cp, sourceMarker
	}
	return res, nil
}

// ReadCheckpoint returns the position a start on client would resume from (nil when there is
// none), picked as a start picks it, and an error naming every damaged record it had to pass
// over (the position is returned with it). It fails without a position only when the storage
// cannot be read at all. It changes nothing in storage.
func ReadCheckpoint(ctx context.Context, client storage.Client) (*Checkpoint, error) {
	found, err := loadSystemLogCheckpoint(ctx, client)
	if err != nil {
		return nil, err
	}
	if len(found.damaged) > 0 {
		return found.cp, fmt.Errorf("damaged System Log checkpoint records: %s", strings.Join(found.damaged, "; "))
	}
	return found.cp, nil
}

// saveSystemLogCheckpoint writes cp as save number seq (copy seq%2) together with the marker,
// in one storage transaction, and deletes the record of earlier versions when dropLegacy.
func saveSystemLogCheckpoint(ctx context.Context, client storage.Client, cp *Checkpoint, seq uint64, dropLegacy bool) error {
	cp.Version = systemLogCheckpointVersion
	wire := *cp
	if wire.RecentUUIDsBin == nil {
		wire.RecentUUIDs, wire.RecentUUIDsBin = packUUIDs(cp.RecentUUIDs)
	}
	record, err := encodeCheckpointRecord(&wire, seq)
	if err != nil {
		return err
	}
	marker := Checkpoint{
		Version: systemLogCheckpointVersion, OrgURL: cp.OrgURL, Filter: cp.Filter,
		NextURL: cp.NextURL, LastPublished: cp.LastPublished,
	}
	markerRecord, err := encodeCheckpointRecord(&marker, seq)
	if err != nil {
		return err
	}
	ops := []*storage.Operation{
		storage.SetOperation(systemLogCopyKeys[seq%2], record),
		storage.SetOperation(systemLogMarkerKey, markerRecord),
	}
	if dropLegacy {
		ops = append(ops, storage.DeleteOperation(systemLogCheckpointKey))
	}
	if err := client.Batch(ctx, ops...); err != nil {
		return fmt.Errorf("write System Log checkpoint: %w", err)
	}
	return nil
}

// encodeCheckpointRecord frames the JSON of cp with the magic, seq and CRC-32C. The JSON is
// exactly json.Marshal(cp). The packed dedupe window, the record's only large field (213 KB
// of base64 for the default window, written on every page), is base64-encoded straight into
// the record: through encoding/json it would be copied three more times (its encoder's
// scratch and buffer, Marshal's result) before the copy into the record.
func encodeCheckpointRecord(cp *Checkpoint, seq uint64) ([]byte, error) {
	rest := *cp
	rest.RecentUUIDsBin = nil
	payload, err := json.Marshal(&rest)
	if err != nil {
		return nil, fmt.Errorf("encode System Log checkpoint: %w", err)
	}
	size := checkpointHeaderLen + len(payload)
	if len(cp.RecentUUIDsBin) > 0 {
		size += len(recentUUIDsBinMember) + base64.StdEncoding.EncodedLen(len(cp.RecentUUIDsBin)) + 1
	}
	out := make([]byte, checkpointHeaderLen, size)
	copy(out, checkpointMagic)
	binary.BigEndian.PutUint64(out[8:16], seq)
	if len(cp.RecentUUIDsBin) == 0 { // omitempty: the member is left out, as json.Marshal does
		out = append(out, payload...)
	} else {
		// The last field of the struct is also the last member: reopen the object before its '}'.
		out = append(out, payload[:len(payload)-1]...)
		out = append(out, recentUUIDsBinMember...)
		out = base64.StdEncoding.AppendEncode(out, cp.RecentUUIDsBin)
		out = append(out, `"}`...)
	}
	sum := crc32.Update(crc32.Checksum(out[8:16], crc32c), crc32c, out[checkpointHeaderLen:])
	binary.BigEndian.PutUint32(out[16:20], sum)
	return out, nil
}

// recentUUIDsBinMember is the JSON text that opens the recent_uuids_bin member after another
// member (its name read from the Checkpoint field's tag, so the tag stays the one place that
// names it), up to the opening quote of its base64 string.
var recentUUIDsBinMember = func() string {
	field, _ := reflect.TypeFor[Checkpoint]().FieldByName("RecentUUIDsBin")
	name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
	return `,"` + name + `":"`
}()

var errCheckpointChecksum = errors.New("checksum mismatch (the record was damaged after it was written)")

// decodeCheckpointRecord checks the frame and the checksum and decodes the payload.
func decodeCheckpointRecord(raw []byte) (*Checkpoint, uint64, error) {
	if len(raw) < checkpointHeaderLen || !bytes.Equal(raw[:8], checkpointMagic) {
		return nil, 0, errors.New("not a checkpoint record (bad header)")
	}
	seq := binary.BigEndian.Uint64(raw[8:16])
	payload := raw[checkpointHeaderLen:]
	want := binary.BigEndian.Uint32(raw[16:20])
	if crc32.Update(crc32.Checksum(raw[8:16], crc32c), crc32c, payload) != want {
		return nil, 0, errCheckpointChecksum
	}
	cp, err := decodeCheckpointPayload(payload)
	if err != nil {
		return nil, 0, err
	}
	return cp, seq, nil
}

// decodeCheckpointPayload decodes the JSON checkpoint (also the record of earlier versions).
func decodeCheckpointPayload(raw []byte) (*Checkpoint, error) {
	var cp Checkpoint
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
