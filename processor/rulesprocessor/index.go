package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import "strings"

// ruleIndex maps record keys to the rules that can apply to them, so that a record only tries the
// rules of its resource type (and policy type) or of its event name, plus the fallback rules
// that declare no keys. The cost per record is a few map lookups whatever the pack size.
type ruleIndex struct {
	byResourceType map[string][]*compiledRule
	// byPolicyType is keyed by "<resource type>|<policy type>".
	byPolicyType map[string][]*compiledRule
	byEventName  map[string][]*compiledRule
	// byEventPrefix is keyed by a prefix ending in "." (from "system.idp.lifecycle.*"); the key ""
	// (from "*") holds rules tried on every System Log event.
	byEventPrefix map[string][]*compiledRule
	// hasPrefixes is false when no rule uses an event-name prefix (skips the prefix walk).
	hasPrefixes bool
	fallback    []*compiledRule
	// all is used instead of the maps when the index is disabled.
	all      []*compiledRule
	disabled bool
}

func buildIndex(rules []*compiledRule, disabled bool) *ruleIndex {
	ix := &ruleIndex{
		byResourceType: map[string][]*compiledRule{},
		byPolicyType:   map[string][]*compiledRule{},
		byEventName:    map[string][]*compiledRule{},
		byEventPrefix:  map[string][]*compiledRule{},
		all:            rules,
		disabled:       disabled,
	}
	for _, r := range rules {
		a := r.AppliesTo
		if a.empty() {
			ix.fallback = append(ix.fallback, r)
			continue
		}
		for _, rt := range a.ResourceTypes {
			if len(a.PolicyTypes) == 0 {
				ix.byResourceType[rt] = append(ix.byResourceType[rt], r)
				continue
			}
			for _, pt := range a.PolicyTypes {
				k := rt + "|" + pt
				ix.byPolicyType[k] = append(ix.byPolicyType[k], r)
			}
		}
		for _, ev := range a.EventNames {
			if p, ok := strings.CutSuffix(ev, "*"); ok {
				ix.byEventPrefix[p] = append(ix.byEventPrefix[p], r)
				ix.hasPrefixes = true
				continue
			}
			ix.byEventName[ev] = append(ix.byEventName[ev], r)
		}
	}
	return ix
}

// recordKeys are the dispatch keys of one record, and for an inventory record the attributes
// that place it in the posture state.
type recordKeys struct {
	kind         string
	resourceType string
	policyType   string
	eventName    string
	resourceID   string
	syncID       string
	changeType   string
}

// appendCandidates appends to dst the buckets of rules that can apply to a record with these
// keys, in the order they are tried.
func (ix *ruleIndex) appendCandidates(dst [][]*compiledRule, k recordKeys) [][]*compiledRule {
	if ix.disabled {
		return append(dst, ix.all)
	}
	switch k.kind {
	case kindInventory:
		dst = append(dst, ix.byResourceType[k.resourceType])
		if k.policyType != "" {
			dst = append(dst, ix.byPolicyType[k.resourceType+"|"+k.policyType])
		}
	case kindSystemLog:
		dst = append(dst, ix.byEventName[k.eventName])
		if ix.hasPrefixes {
			dst = append(dst, ix.byEventPrefix[""])
			name := k.eventName
			for i := len(name) - 1; i > 0; i-- {
				if name[i] == '.' {
					dst = append(dst, ix.byEventPrefix[name[:i+1]])
				}
			}
		}
	}
	return append(dst, ix.fallback)
}

// maxMemoKeys bounds candidateMemo: about 1,100 System Log event types and a few hundred
// resource and policy type pairs fit, while made-up event names cannot grow it without end.
const maxMemoKeys = 4096

// inventoryKey is what the index dispatches an inventory record on.
type inventoryKey struct{ resourceType, policyType string }

// candidateMemo remembers the rules the index offers per event name and per resource and policy
// type, flattened into one list in the index's order, so that a record costs one map lookup
// instead of one per bucket and per event-name prefix. Its keys come from the data, so it keeps
// at most maxMemoKeys of them; the list of any other key is built again each time. Not safe for
// concurrent use: the processor serialises batches.
type candidateMemo struct {
	index     *ruleIndex
	events    map[string][]*compiledRule
	inventory map[inventoryKey][]*compiledRule
	// other is the list of records of any other kind (the fallback rules).
	other []*compiledRule
	// buckets and scratch are reused to build the lists that are not kept.
	buckets [][]*compiledRule
	scratch []*compiledRule
}

func newCandidateMemo(ix *ruleIndex) *candidateMemo {
	m := &candidateMemo{index: ix, events: map[string][]*compiledRule{}, inventory: map[inventoryKey][]*compiledRule{}}
	m.other = m.build(recordKeys{}, true)
	return m
}

// rules returns the rules that can apply to a record with these keys. The list is valid until the
// next call.
func (m *candidateMemo) rules(k recordKeys) []*compiledRule {
	keep := len(m.events)+len(m.inventory) < maxMemoKeys
	switch k.kind {
	case kindSystemLog:
		if list, ok := m.events[k.eventName]; ok {
			return list
		}
		list := m.build(k, keep)
		if keep {
			m.events[k.eventName] = list
		}
		return list
	case kindInventory:
		ik := inventoryKey{k.resourceType, k.policyType}
		if list, ok := m.inventory[ik]; ok {
			return list
		}
		list := m.build(k, keep)
		if keep {
			m.inventory[ik] = list
		}
		return list
	}
	return m.other
}

// build flattens the index's buckets for k into a new list (keep) or into the scratch list.
func (m *candidateMemo) build(k recordKeys, keep bool) []*compiledRule {
	m.buckets = m.index.appendCandidates(m.buckets[:0], k)
	if !keep {
		m.scratch = m.scratch[:0]
		for _, b := range m.buckets {
			m.scratch = append(m.scratch, b...)
		}
		return m.scratch
	}
	n := 0
	for _, b := range m.buckets {
		n += len(b)
	}
	list := make([]*compiledRule, 0, n)
	for _, b := range m.buckets {
		list = append(list, b...)
	}
	return list
}
