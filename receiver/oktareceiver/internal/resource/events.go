package resource

import (
	"strings"
	"time"
)

// Change says that an object of a type, or a parent's list of objects of a type, may have
// changed: what the System Log tells the inventory, which decides how to read it again.
type Change struct {
	// Type is the resource type of the object (or of the listed objects).
	Type Type
	// ID is the object's own id; with Children, the id of the parent whose list changed.
	ID string
	// Parent is the parent's id of a child object named directly (a group member's group).
	Parent string
	// Children: the list of Type under the parent ID changed.
	Children bool
	// Removed: the object is gone; there is nothing to read.
	Removed bool
	// Published is when the newest event behind the change was published (zero: unknown).
	Published time.Time
	// EventUUID is the uuid of that event.
	EventUUID string
}

// EventRuleFor returns the type and the rule that an event type falls under (the rule with
// the longest matching prefix), or nil when no event of the type changes an inventory object.
func EventRuleFor(eventType string) (*Spec, *EventRule) {
	var spec *Spec
	var rule *EventRule
	for i := range table {
		for j := range table[i].Events {
			r := &table[i].Events[j]
			if strings.HasPrefix(eventType, r.Prefix) && (rule == nil || len(r.Prefix) > len(rule.Prefix)) {
				spec, rule = &table[i], r
			}
		}
	}
	return spec, rule
}
