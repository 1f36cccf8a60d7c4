package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/pdata/plog"
)

type logCondition = ottl.Condition[*ottllog.TransformContext]

// noCondition marks a rule without a match (it applies to every record of its index keys).
const noCondition = -1

// conditionTable holds every OTTL condition of a rule set once, keyed by its text. Rules that
// share a match or a condition (the password-policy rules all match log.body["type"] ==
// "PASSWORD"; a detection's condition is often another detection's match) share one parsed
// condition and one slot of the per-record memo, so a record evaluates each distinct condition
// at most once.
type conditionTable struct {
	slots map[string]int
	conds []*logCondition
}

func newConditionTable() *conditionTable {
	return &conditionTable{slots: map[string]int{}}
}

// add parses src (unless an identical text was parsed before) and returns its slot.
func (t *conditionTable) add(parser *ottl.Parser[*ottllog.TransformContext], src string) (int, error) {
	src = strings.TrimSpace(src)
	if slot, ok := t.slots[src]; ok {
		return slot, nil
	}
	c, err := parser.ParseCondition(src)
	if err != nil {
		return noCondition, err
	}
	slot := len(t.conds)
	t.conds = append(t.conds, c)
	t.slots[src] = slot
	return slot, nil
}

func (t *conditionTable) size() int { return len(t.conds) }

// recordEval is the evaluation state of the current record: the OTTL transform context,
// created on first use and released by done, and the memo of the conditions evaluated on it.
// One recordEval serves every record of a batch; start resets it in O(1).
type recordEval struct {
	ctx  context.Context
	rl   plog.ResourceLogs
	sl   plog.ScopeLogs
	lr   plog.LogRecord
	tCtx *ottllog.TransformContext
	// gen identifies the current record; a memo entry is valid when it carries the same gen.
	gen  uint64
	memo []memoEntry
}

// memoEntry is the result of one condition of the table on the record of generation gen.
type memoEntry struct {
	gen   uint64
	value bool
	err   error
}

func newRecordEval(conditions int) *recordEval {
	return &recordEval{memo: make([]memoEntry, conditions)}
}

// start makes the record lr (of rl and sl) the current one.
func (e *recordEval) start(ctx context.Context, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord) {
	e.ctx, e.rl, e.sl, e.lr = ctx, rl, sl, lr
	e.gen++
}

// done releases the transform context of the current record and drops the references to it,
// so that the batch it belongs to is not kept alive by the processor after it moved on.
func (e *recordEval) done() {
	if e.tCtx != nil {
		e.tCtx.Close()
		e.tCtx = nil
	}
	e.ctx, e.rl, e.sl, e.lr = nil, plog.ResourceLogs{}, plog.ScopeLogs{}, plog.LogRecord{}
}

func (e *recordEval) transformContext() *ottllog.TransformContext {
	if e.tCtx == nil {
		e.tCtx = ottllog.NewTransformContext(e.rl, e.sl, e.lr)
	}
	return e.tCtx
}

// eval returns the result of condition slot of t on the current record, evaluating it with OTTL
// the first time and from the memo afterwards (conditions only read the record, and nothing
// writes to it before every rule of the record has been evaluated).
func (e *recordEval) eval(t *conditionTable, slot int) (bool, error) {
	m := &e.memo[slot]
	if m.gen == e.gen {
		return m.value, m.err
	}
	v, err := t.conds[slot].Eval(e.ctx, e.transformContext())
	*m = memoEntry{gen: e.gen, value: v, err: err}
	return v, err
}

// groupValue evaluates a threshold's group_by expression on the current record as a string
// ("" when it yields nothing or fails: such events are counted together).
func (e *recordEval) groupValue(expr *ottl.ValueExpression[*ottllog.TransformContext]) string {
	v, err := expr.Eval(e.ctx, e.transformContext())
	if err != nil || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
