package oktareceiver

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// Event names, attribute keys and values of inventory records.
const (
	eventInventorySnapshot = "okta.inventory.snapshot"
	eventInventoryChange   = "okta.inventory.change"

	attrRecordKind          = "okta.record.kind"
	attrResourceType        = "okta.resource.type"
	attrResourceID          = "okta.resource.id"
	attrResourceName        = "okta.resource.name"
	attrResourceStatus      = "okta.resource.status"
	attrResourceLastUpdated = "okta.resource.last_updated"
	attrSyncID              = "okta.sync.id"
	attrChangeType          = "okta.change.type"
	attrChangeFields        = "okta.change.fields"
	attrChangeTrigger       = "okta.change.trigger"
	attrUserID              = resource.AttrUserID
	attrGroupID             = resource.AttrGroupID
	attrApplicationID       = resource.AttrApplicationID
	attrPolicyID            = resource.AttrPolicyID
	attrPolicyType          = resource.AttrPolicyType
	// attrEventUUID links a change record to the System Log event that triggered it.
	attrEventUUID = "okta.event.uuid"

	recordKindInventory = "inventory"

	changeCreated = "created"
	changeUpdated = "updated"
	changeDeleted = "deleted"

	triggerIncremental = "incremental"
	triggerFullSync    = "full_sync"
)

// inventoryRecord is one snapshot or change record before conversion to pdata.
type inventoryRecord struct {
	event       string // eventInventorySnapshot or eventInventoryChange
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
	if rec.event == eventInventoryChange && rec.changeType != changeDeleted {
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
	attrs.PutStr(attrRecordKind, recordKindInventory)
	attrs.PutStr(attrResourceType, rec.typ)
	attrs.PutStr(attrResourceID, rec.id)
	putNonEmpty(attrs, attrResourceName, rec.name)
	putNonEmpty(attrs, attrResourceStatus, rec.status)
	putNonEmpty(attrs, attrResourceLastUpdated, rec.lastUpdated)
	for _, p := range rec.parents {
		putNonEmpty(attrs, p[0], p[1])
	}
	putNonEmpty(attrs, attrSyncID, rec.syncID)
	if rec.event == eventInventoryChange {
		attrs.PutStr(attrChangeType, rec.changeType)
		fields := attrs.PutEmptySlice(attrChangeFields)
		fields.EnsureCapacity(len(rec.fields))
		for _, f := range rec.fields {
			fields.AppendEmpty().SetStr(f)
		}
		attrs.PutStr(attrChangeTrigger, rec.trigger)
		putNonEmpty(attrs, attrEventUUID, rec.eventUUID)
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
