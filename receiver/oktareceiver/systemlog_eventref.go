package oktareceiver

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
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

// eventRefs returns one systemLogEventRef per record of b. The uuid and published time come
// from b.facts and the eventType from the record's EventName (all set by the decoder); actor
// and targets are read from the body only for event types that can name an inventory object
// (refetchRelevant): the other events, most of any org's traffic, cost nothing more.
func (b *systemLogBatch) eventRefs() []systemLogEventRef {
	records := b.records()
	out := make([]systemLogEventRef, records.Len())
	for i := range out {
		record := records.At(i)
		ref := &out[i]
		ref.uuid, ref.published, ref.eventType = b.facts[i].uuid, b.facts[i].published, record.EventName()
		if !refetchRelevant(ref.eventType) {
			continue
		}
		event := logEventFields{m: record.Body().Map(), ok: true}
		ref.actorID = event.obj("actor").str("id")
		if targets, ok := event.get("target"); ok && targets.Type() == pcommon.ValueTypeSlice {
			list := targets.Slice()
			ref.targets = make([]eventTarget, 0, list.Len())
			for j := 0; j < list.Len(); j++ {
				if target := valueObj(list.At(j), true); target.ok {
					ref.targets = append(ref.targets, eventTarget{typ: target.str("type"), id: target.str("id")})
				}
			}
		}
	}
	return out
}
