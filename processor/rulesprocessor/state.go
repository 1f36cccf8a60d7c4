package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// postureState holds, per org, the resources currently failing each posture rule and the members
// of each aggregate rule. It is fed by snapshot and change records and swept at full-sync
// boundaries, so that counts fall when a resource is fixed or deleted. Not safe for concurrent
// use: the processor serialises access.
type postureState struct {
	orgs map[string]*orgState
}

// orgState is the posture state of one Okta org (one okta.org.url).
type orgState struct {
	// resource is a copy of the resource of the last inventory record (for summary and aggregate records).
	resource pcommon.Resource
	// failing maps a record rule to the failing resources (key "<type>/<id>") and the generation that last confirmed each.
	failing map[*compiledRule]map[string]uint64
	// members maps an aggregate rule to the resources it counts.
	members map[*compiledRule]map[string]uint64
	// aggregateFailing is the last verdict of each aggregate rule (only after the first completed sync).
	aggregateFailing map[*compiledRule]bool
	// gen counts full syncs seen; entries store the gen that last confirmed them.
	gen uint64
	// syncID is the okta.sync.id of the current full sync; syncGen its generation.
	syncID  string
	syncGen uint64
	// lastSnapshot is when the last snapshot record of the current sync was processed.
	lastSnapshot time.Time
	// settledSync is the sync id that was last considered complete (swept, aggregates evaluated).
	settledSync string
	// settled is true once one full sync completed: aggregate rules are evaluated from then on.
	settled bool
}

func newPostureState() *postureState { return &postureState{orgs: map[string]*orgState{}} }

func (s *postureState) org(url string, res pcommon.Resource) *orgState {
	o, ok := s.orgs[url]
	if !ok {
		o = &orgState{
			resource:         pcommon.NewResource(),
			failing:          map[*compiledRule]map[string]uint64{},
			members:          map[*compiledRule]map[string]uint64{},
			aggregateFailing: map[*compiledRule]bool{},
		}
		s.orgs[url] = o
		res.CopyTo(o.resource)
	}
	return o
}

// observeSnapshot notes a snapshot record of sync syncID at now; a new sync id starts a new generation.
func (o *orgState) observeSnapshot(syncID string, now time.Time) {
	if syncID != o.syncID {
		o.syncID = syncID
		o.gen++
		o.syncGen = o.gen
	}
	o.lastSnapshot = now
}

// set records whether resource key fails rule r (or, for aggregates, is counted by it).
func (o *orgState) set(r *compiledRule, key string, on bool) {
	m := o.failing
	if r.aggregate != nil {
		m = o.members
	}
	rs := m[r]
	if !on {
		if rs != nil {
			delete(rs, key)
		}
		return
	}
	if rs == nil {
		rs = map[string]uint64{}
		m[r] = rs
	}
	rs[key] = o.gen
}

// settle completes the current full sync once no snapshot arrived for quiet: entries not confirmed
// during that sync (or after it) belong to resources that vanished and are dropped. It reports
// whether a sync was settled now.
func (o *orgState) settle(now time.Time, quiet time.Duration) bool {
	if o.syncID == "" || o.syncID == o.settledSync || now.Sub(o.lastSnapshot) < quiet {
		return false
	}
	for _, m := range []map[*compiledRule]map[string]uint64{o.failing, o.members} {
		for _, rs := range m {
			for k, g := range rs {
				if g < o.syncGen {
					delete(rs, k)
				}
			}
		}
	}
	o.settledSync = o.syncID
	o.settled = true
	return true
}

// failingCount is the number of resources failing a record rule, or 0/1 for an aggregate rule.
func (o *orgState) failingCount(r *compiledRule) int {
	if r.aggregate != nil {
		if o.aggregateFailing[r] {
			return 1
		}
		return 0
	}
	return len(o.failing[r])
}

// evaluateAggregate returns the current member count of r and whether the org fails it.
func (o *orgState) evaluateAggregate(r *compiledRule) (int, bool) {
	n := len(o.members[r])
	a := r.aggregate
	if a.Min != nil && n < *a.Min {
		return n, true
	}
	if a.Max != nil && n > *a.Max {
		return n, true
	}
	return n, false
}
