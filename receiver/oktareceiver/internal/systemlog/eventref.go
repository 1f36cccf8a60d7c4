package systemlog

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// ChangeNotifier is told, after the consumer accepted a batch of System Log events (trigger
// "system_log" or "event_hook"), which inventory objects those events say changed. It must not
// block: queue and return. The System Log does not know how the inventory reads them again.
type ChangeNotifier func(ctx context.Context, trigger string, changes []resource.Change)

// Changes maps delivered events to the changes they announce, by the event rules of the
// resource table (the rule with the longest matching prefix applies). The ids are copies: the
// changes outlive the page the events share memory with.
func Changes(refs []EventRef) []resource.Change {
	var out []resource.Change
	for _, ev := range refs {
		out = ev.appendChanges(out)
	}
	return out
}

// appendChanges appends the changes one event announces: the object its rule's target names
// (the actor's own object when the rule allows it and no target names one), or the list of
// the type under that target (Children); for a child named with its parent (a group member),
// the child only when both are named, and the parent again when the rule says so.
func (e EventRef) appendChanges(out []resource.Change) []resource.Change {
	spec, rule := resource.EventRuleFor(e.EventType)
	if rule == nil {
		return out
	}
	id := e.targetID(rule.Target)
	if id == "" && rule.ActorFallback {
		id = e.ActorID
	}
	uuid := strings.Clone(e.UUID)
	change := resource.Change{
		Type: spec.Type, ID: strings.Clone(id), Children: rule.Children,
		Removed:   rule.RemovedSuffix != "" && strings.HasSuffix(e.EventType, rule.RemovedSuffix),
		Published: e.Published, EventUUID: uuid,
	}
	if rule.ParentTarget == "" {
		if id != "" {
			out = append(out, change)
		}
		return out
	}
	parent := strings.Clone(e.targetID(rule.ParentTarget))
	if id != "" && parent != "" {
		change.Parent = parent
		out = append(out, change)
	}
	if rule.RefreshParent && parent != "" {
		out = append(out, resource.Change{Type: spec.Parent, ID: parent, Published: e.Published, EventUUID: uuid})
	}
	return out
}

// EventRef is what Changes reads of one delivered System Log event: its uuid, eventType and
// published time, the actor's id and the type and id of each target. The strings share memory
// with the record (and so with the whole page's text): whoever keeps one beyond the delivery
// copies it first (strings.Clone); Changes does.
type EventRef struct {
	UUID      string
	EventType string
	Published time.Time // zero when the event has none
	ActorID   string
	Targets   []EventTarget
}

// EventTarget is one element of a LogEvent's target array.
type EventTarget struct {
	Type, ID string
}

// targetID returns the id of the first target of type typ, or "".
func (e EventRef) targetID(typ string) string {
	for _, t := range e.Targets {
		if t.Type == typ && t.ID != "" {
			return t.ID
		}
	}
	return ""
}

// eventRefs returns one EventRef per record of b. The uuid and published time come
// from b.facts and the eventType from the record's EventName (all set by the decoder); actor
// and targets are read from the body only for event types that can change an inventory object
// (an event rule of the resource table): the other events, most of any org's traffic, cost
// nothing more.
func (b *Batch) eventRefs() []EventRef {
	records := b.records()
	out := make([]EventRef, records.Len())
	for i := range out {
		record := records.At(i)
		ref := &out[i]
		ref.UUID, ref.Published, ref.EventType = b.facts[i].uuid, b.facts[i].published, record.EventName()
		if _, rule := resource.EventRuleFor(ref.EventType); rule == nil {
			continue
		}
		event := logEventFields{m: record.Body().Map(), ok: true}
		ref.ActorID = event.obj("actor").text("id")
		if targets, ok := event.get("target"); ok && targets.Type() == pcommon.ValueTypeSlice {
			list := targets.Slice()
			ref.Targets = make([]EventTarget, 0, list.Len())
			for j := 0; j < list.Len(); j++ {
				if target := valueObj(list.At(j), true); target.ok {
					ref.Targets = append(ref.Targets, EventTarget{Type: target.text("type"), ID: target.text("id")})
				}
			}
		}
	}
	return out
}
