package oktareceiver

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// systemLogEventRef is what the inventory's event-driven refresh reads of one delivered System
// Log event: its uuid, eventType and published time, the actor's id and the type and id of
// each target. The
// strings share memory with the record (and so with the whole page's text): whoever keeps one
// beyond the onEvents call copies it first (strings.Clone).
type systemLogEventRef struct {
	uuid      string
	eventType string
	published time.Time // zero when the event has none
	actorID   string
	targets   []eventTarget
}

// eventTarget is one element of a LogEvent's target array.
type eventTarget struct {
	typ, id string
}

// targetID returns the id of the first target of type typ, or "".
func (e systemLogEventRef) targetID(typ string) string {
	for _, t := range e.targets {
		if t.typ == typ && t.id != "" {
			return t.id
		}
	}
	return ""
}

// systemLogEventRefs returns one systemLogEventRef per record, read from the record's body
// (the LogEvent). Targets and actor are read only for event types that can name an inventory
// object (refetchRelevant): the other events, most of any org's traffic, cost two lookups.
func systemLogEventRefs(records plog.LogRecordSlice) []systemLogEventRef {
	out := make([]systemLogEventRef, records.Len())
	for i := range out {
		record := records.At(i)
		body := record.Body().Map()
		ref := &out[i]
		ref.uuid = mapStr(body, "uuid")
		ref.eventType = mapStr(body, "eventType")
		if ts := record.Timestamp(); ts != 0 {
			ref.published = ts.AsTime()
		}
		if !refetchRelevant(ref.eventType) {
			continue
		}
		if actor, ok := body.Get("actor"); ok && actor.Type() == pcommon.ValueTypeMap {
			ref.actorID = mapStr(actor.Map(), "id")
		}
		if targets, ok := body.Get("target"); ok && targets.Type() == pcommon.ValueTypeSlice {
			list := targets.Slice()
			ref.targets = make([]eventTarget, 0, list.Len())
			for j := 0; j < list.Len(); j++ {
				if item := list.At(j); item.Type() == pcommon.ValueTypeMap {
					ref.targets = append(ref.targets, eventTarget{typ: mapStr(item.Map(), "type"), id: mapStr(item.Map(), "id")})
				}
			}
		}
	}
	return out
}

// mapStr returns m[key] when it is a string, else "".
func mapStr(m pcommon.Map, key string) string {
	if v, ok := m.Get(key); ok && v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}
