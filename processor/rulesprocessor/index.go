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
// keys, in the order candidates visits them (no closure, so nothing escapes per record).
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

// candidates calls fn for every rule that can apply to a record with these keys, until fn
// returns false.
func (ix *ruleIndex) candidates(k recordKeys, fn func(*compiledRule) bool) {
	for _, bucket := range ix.appendCandidates(nil, k) {
		for _, r := range bucket {
			if !fn(r) {
				return
			}
		}
	}
}
