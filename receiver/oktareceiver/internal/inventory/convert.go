package inventory

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
)

// Event names, attribute keys and values of inventory records.
const (
	EventSnapshot = "okta.inventory.snapshot"
	EventChange   = "okta.inventory.change"

	AttrRecordKind          = "okta.record.kind"
	AttrResourceType        = "okta.resource.type"
	AttrResourceID          = "okta.resource.id"
	AttrResourceName        = "okta.resource.name"
	AttrResourceStatus      = "okta.resource.status"
	AttrResourceLastUpdated = "okta.resource.last_updated"
	AttrSyncID              = "okta.sync.id"
	AttrChangeType          = "okta.change.type"
	AttrChangeFields        = "okta.change.fields"
	AttrChangeTrigger       = "okta.change.trigger"
	// AttrEventUUID links a change record to the System Log event that triggered it.
	AttrEventUUID = "okta.event.uuid"

	RecordKindInventory = "inventory"

	ChangeCreated = "created"
	ChangeUpdated = "updated"
	ChangeDeleted = "deleted"

	TriggerIncremental = "incremental"
	TriggerFullSync    = "full_sync"
)

// inventoryRecord is one snapshot or change record before conversion to pdata.
type inventoryRecord struct {
	event       string // EventSnapshot or EventChange
	typ         string
	id          string
	name        string
	status      string
	lastUpdated string
	parents     [][2]string // attribute key, value (okta.user.id, ...)
	syncID      string
	changeType  string
	fields      []string
	values      []changeValue // audited values before and after (okta.change.values)
	trigger     string
	// syncGen is the full-sync generation of the type for a full_sync change: it stands for
	// the sync in log.record.uid, as it is the same when a sync is run again after a restart
	// (the random okta.sync.id is not).
	syncGen   uint32
	eventUUID string         // the event behind a system_log or event_hook change
	body      map[string]any // redacted object; nil for a deletion without a body
}

// changeCause is why a change record is emitted: its okta.change.trigger and, for a
// change an event triggered, that event's uuid.
type changeCause struct {
	trigger   string
	eventUUID string
}

// appendInventoryRecord converts rec into a new log record of sl. The body is redacted
// here, so no caller can forget it, and log.record.uid is derived from the record as
// delivered (inventoryRecordUID).
func appendInventoryRecord(sl plog.ScopeLogs, rec inventoryRecord, now pcommon.Timestamp) {
	lr := sl.LogRecords().AppendEmpty()
	lr.SetEventName(rec.event)
	lr.SetObservedTimestamp(now)
	lr.SetTimestamp(now)
	if rec.event == EventChange && rec.changeType != ChangeDeleted {
		if t, err := time.Parse(time.RFC3339Nano, rec.lastUpdated); err == nil {
			lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
		}
	}
	lr.SetSeverityNumber(plog.SeverityNumberInfo)
	lr.SetSeverityText("INFO")
	attrs := lr.Attributes()
	if rec.body != nil {
		redactSecrets(rec.typ, rec.body)
	}
	attrs.PutStr(string(semconv.LogRecordUIDKey), inventoryRecordUID(rec))
	attrs.PutStr(AttrRecordKind, RecordKindInventory)
	attrs.PutStr(AttrResourceType, rec.typ)
	attrs.PutStr(AttrResourceID, rec.id)
	putNonEmpty(attrs, AttrResourceName, rec.name)
	putNonEmpty(attrs, AttrResourceStatus, rec.status)
	putNonEmpty(attrs, AttrResourceLastUpdated, rec.lastUpdated)
	for _, p := range rec.parents {
		putNonEmpty(attrs, p[0], p[1])
	}
	putNonEmpty(attrs, AttrSyncID, rec.syncID)
	if rec.event == EventChange {
		attrs.PutStr(AttrChangeType, rec.changeType)
		fields := attrs.PutEmptySlice(AttrChangeFields)
		fields.EnsureCapacity(len(rec.fields))
		for _, f := range rec.fields {
			fields.AppendEmpty().SetStr(f)
		}
		attrs.PutStr(AttrChangeTrigger, rec.trigger)
		putNonEmpty(attrs, AttrEventUUID, rec.eventUUID)
		if len(rec.values) > 0 {
			putChangeValues(attrs, rec.values)
		}
	}
	if rec.body != nil {
		emit.SetValue(lr.Body(), rec.body)
	} else {
		lr.Body().SetEmptyMap().PutStr("id", rec.id)
	}
}

func putNonEmpty(attrs pcommon.Map, key, val string) {
	if val != "" {
		attrs.PutStr(key, val)
	}
}
