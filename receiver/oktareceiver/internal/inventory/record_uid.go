package inventory

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// inventoryRecordUID returns the log.record.uid of an inventory record: the first 128 bits,
// in hex, of a SHA-256 over what tells the record apart from every other one:
//
//   - its event name (snapshot or change), resource type and resource id;
//   - for a change: the change type, the trigger and the changed field paths;
//   - the full sync it belongs to (okta.sync.id; for a full_sync change, the type's full-sync
//     generation, which is persisted with the state, so that a change found again after a
//     restart that came before its state was written carries the same id), or the System
//     Log event that triggered it (okta.event.uuid), when there is one;
//   - a hash of the body as delivered (redacted), so that two states of one object differ.
//
// The id is deterministic: the same record delivered again (an exporter retry, a persistent
// queue replaying after a restart) carries the same id, so a backend can deduplicate on it.
// Two different records never share one: snapshots of one object in two full syncs differ by
// sync id, changes of one object differ by trigger, sync, event or content (Okta moves
// lastUpdated on every change of the objects that incremental syncs and events refetch).
func inventoryRecordUID(rec inventoryRecord) string {
	var buf [512]byte
	b := buf[:0]
	sync := rec.syncID
	if rec.event == EventChange && rec.trigger == TriggerFullSync {
		sync = "gen:" + strconv.FormatUint(uint64(rec.syncGen), 10)
	}
	for _, s := range [...]string{rec.event, rec.typ, rec.id, rec.changeType, rec.trigger, sync, rec.eventUUID} {
		b = appendUIDField(b, s)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(rec.fields)))
	for _, f := range rec.fields {
		b = appendUIDField(b, f)
	}
	b = binary.LittleEndian.AppendUint64(b, new(valueHasher).hash64(rec.body))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// appendUIDField appends s with its length, so that no two field lists encode alike.
func appendUIDField(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}
