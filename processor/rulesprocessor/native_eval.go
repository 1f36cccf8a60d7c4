package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// recordEval is the evaluation state of one record: what native expressions read (the record,
// its resource, the cache of resolved paths) and the OTTL transform context, created on first
// use (most records never need it) and released by close.
type recordEval struct {
	ctx   context.Context
	rl    plog.ResourceLogs
	sl    plog.ScopeLogs
	lr    plog.LogRecord
	res   pcommon.Resource
	cache *pathCache
	tCtx  *ottllog.TransformContext
}

func (e *recordEval) transformContext() *ottllog.TransformContext {
	if e.tCtx == nil {
		e.tCtx = ottllog.NewTransformContext(e.rl, e.sl, e.lr)
	}
	return e.tCtx
}

func (e *recordEval) close() {
	if e.tCtx != nil {
		e.tCtx.Close()
		e.tCtx = nil
	}
}

// pathCache remembers the body paths (and their prefixes) resolved on the current record, so
// that rules reading the same path (log.body["status"], log.body["outcome"]["result"]) or
// sibling paths (log.body["settings"]["password"][...]) walk the body once per record. Slots are
// the ids given by pathInterner; next invalidates every slot in O(1).
type pathCache struct {
	gen     uint64
	entries []pathEntry
}

type pathEntry struct {
	gen   uint64
	v     pcommon.Value
	found bool
	ok    bool
}

func newPathCache(slots int) *pathCache { return &pathCache{gen: 1, entries: make([]pathEntry, slots)} }

// next starts a new record.
func (c *pathCache) next() { c.gen++ }

// pathInterner gives every distinct path of a rule set one cache slot.
type pathInterner struct{ slots map[string]int }

func newPathInterner() *pathInterner { return &pathInterner{slots: map[string]int{}} }

func (in *pathInterner) slot(kind operandKind, keys []string) int {
	k := strconv.Itoa(int(kind)) + "\x00" + strings.Join(keys, "\x00")
	if id, ok := in.slots[k]; ok {
		return id
	}
	id := len(in.slots)
	in.slots[k] = id
	return id
}

func (in *pathInterner) size() int { return len(in.slots) }

// nativeExpr is a condition evaluated in Go, without OTTL's per-lookup allocations.
//
// eval returns ok=false when the record holds something the native evaluator does not reproduce
// exactly: a body that is not a map, a path step through a string or a slice (OTTL reports an
// error there), or a map, slice or bytes value at the end of a path. The caller then evaluates the
// rule's OTTL condition, which stays the reference; when ok is true the result is the one OTTL
// returns (TestNativeMatchesOTTL checks every shipped rule against OTTL on every fixture).
type nativeExpr interface {
	eval(r *recordEval) (result, ok bool)
}

type nativeConst bool

func (c nativeConst) eval(*recordEval) (bool, bool) { return bool(c), true }

type nativeNot struct{ x nativeExpr }

func (n *nativeNot) eval(r *recordEval) (bool, bool) {
	v, ok := n.x.eval(r)
	return !v, ok
}

// nativeAnd short-circuits like OTTL: later values are not evaluated after a false one.
type nativeAnd struct{ values []nativeExpr }

func (a *nativeAnd) eval(r *recordEval) (bool, bool) {
	for _, v := range a.values {
		res, ok := v.eval(r)
		if !ok {
			return false, false
		}
		if !res {
			return false, true
		}
	}
	return true, true
}

// nativeOr short-circuits like OTTL: later terms are not evaluated after a true one.
type nativeOr struct{ terms []nativeExpr }

func (o *nativeOr) eval(r *recordEval) (bool, bool) {
	for _, t := range o.terms {
		res, ok := t.eval(r)
		if !ok {
			return false, false
		}
		if res {
			return true, true
		}
	}
	return false, true
}

type nativeCompare struct {
	left, right nativeOperand
	op          nativeOp
}

func (c *nativeCompare) eval(r *recordEval) (bool, bool) {
	a, ok := c.left.get(r)
	if !ok {
		return false, false
	}
	b, ok := c.right.get(r)
	if !ok {
		return false, false
	}
	return compareScalars(a, b, c.op), true
}

// nativeIsMatch is IsMatch(path, "pattern") for a path holding a string or nothing (false, as in
// OTTL); other value types are left to OTTL (which converts them to strings first).
type nativeIsMatch struct {
	target nativeOperand
	re     *regexp.Regexp
}

func (m *nativeIsMatch) eval(r *recordEval) (bool, bool) {
	v, ok := m.target.get(r)
	if !ok {
		return false, false
	}
	switch v.kind {
	case scalarNil:
		return false, true
	case scalarString:
		return m.re.MatchString(v.s), true
	}
	return false, false
}

type operandKind int

const (
	operandLiteral operandKind = iota
	operandBody
	operandAttributes
	operandResourceAttributes
	operandEventName
)

// nativeOperand is a literal or a path into the record.
type nativeOperand struct {
	kind operandKind
	lit  any // nil, string, int64, float64 or bool (operandLiteral)
	keys []string
	// prefixSlots are the pathCache slots of keys[:1], keys[:2], ... keys (body paths only;
	// nil means uncached).
	prefixSlots []int
}

// get resolves the operand to a scalar; ok is false where OTTL would fail or return a map,
// slice or bytes value.
func (o *nativeOperand) get(r *recordEval) (scalar, bool) {
	switch o.kind {
	case operandLiteral:
		return literalScalar(o.lit), true
	case operandEventName:
		return scalar{kind: scalarString, s: r.lr.EventName()}, true
	case operandAttributes:
		return lookupMap(r.lr.Attributes(), o.keys)
	case operandResourceAttributes:
		return lookupMap(r.res.Attributes(), o.keys)
	case operandBody:
		v, found, ok := o.resolveBody(r, len(o.keys))
		if !ok {
			return scalar{}, false
		}
		if !found {
			return scalar{}, true
		}
		return valueScalar(v)
	}
	return scalar{}, false
}

// resolveBody resolves the first n keys of a body path as OTTL's map indexing does: a missing
// key gives found=false, a body or step that is not a map gives ok=false (OTTL errors or
// handles slices differently). Results are cached per record.
func (o *nativeOperand) resolveBody(r *recordEval, n int) (v pcommon.Value, found, ok bool) {
	var e *pathEntry
	if o.prefixSlots != nil && r.cache != nil {
		e = &r.cache.entries[o.prefixSlots[n-1]]
		if e.gen == r.cache.gen {
			return e.v, e.found, e.ok
		}
	}
	var parent pcommon.Map
	if n == 1 {
		body := r.lr.Body()
		ok = body.Type() == pcommon.ValueTypeMap
		if ok {
			parent = body.Map()
		}
	} else {
		var pv pcommon.Value
		pv, found, ok = o.resolveBody(r, n-1)
		if ok && found {
			ok = pv.Type() == pcommon.ValueTypeMap
			if ok {
				parent = pv.Map()
			}
		}
		if !ok || !found {
			if e != nil {
				*e = pathEntry{gen: r.cache.gen, ok: ok}
			}
			return pcommon.Value{}, false, ok
		}
	}
	if ok {
		v, found = parent.Get(o.keys[n-1])
	}
	if e != nil {
		*e = pathEntry{gen: r.cache.gen, v: v, found: found, ok: ok}
	}
	return v, found, ok
}

// lookupMap walks keys from m as OTTL's map indexing does: a missing key gives nil, a step
// through anything but a map is left to OTTL.
func lookupMap(m pcommon.Map, keys []string) (scalar, bool) {
	v, found := m.Get(keys[0])
	if !found {
		return scalar{}, true
	}
	for _, k := range keys[1:] {
		if v.Type() != pcommon.ValueTypeMap {
			return scalar{}, false
		}
		v, found = v.Map().Get(k)
		if !found {
			return scalar{}, true
		}
	}
	return valueScalar(v)
}

func valueScalar(v pcommon.Value) (scalar, bool) {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return scalar{}, true
	case pcommon.ValueTypeStr:
		return scalar{kind: scalarString, s: v.Str()}, true
	case pcommon.ValueTypeBool:
		return scalar{kind: scalarBool, b: v.Bool()}, true
	case pcommon.ValueTypeInt:
		return scalar{kind: scalarInt, i: v.Int()}, true
	case pcommon.ValueTypeDouble:
		return scalar{kind: scalarFloat, f: v.Double()}, true
	}
	return scalar{}, false
}

// ottlLeaf is one boolean value of a condition that only OTTL evaluates (Now(), Len(), ...).
// An OTTL error makes the whole condition fall back to OTTL, which reports it.
type ottlLeaf struct{ cond *logCondition }

func (l *ottlLeaf) eval(r *recordEval) (bool, bool) {
	v, err := l.cond.Eval(r.ctx, r.transformContext())
	if err != nil {
		return false, false
	}
	return v, true
}

// nativeStringMatch is IsMatch(String(path), "pattern"). A missing path is false and a string
// is matched directly, as in OTTL. A map or slice is rendered as JSON by OTTL; natively it is
// only ruled out: when no key or string inside contains the pattern's required literal (and
// nothing inside would be escaped or encoded differently in JSON), the JSON cannot match.
// Every other case is left to OTTL.
type nativeStringMatch struct {
	target  nativeOperand
	re      *regexp.Regexp
	literal string
}

func (m *nativeStringMatch) eval(r *recordEval) (bool, bool) {
	v, found, ok := m.target.raw(r)
	if !ok {
		return false, false
	}
	if !found {
		return false, true
	}
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return false, true
	case pcommon.ValueTypeStr:
		return m.re.MatchString(v.Str()), true
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		if m.literal != "" && jsonCannotContain(v, m.literal) {
			return false, true
		}
	}
	return false, false
}

// jsonCannotContain reports whether the JSON rendering of v certainly does not contain lit: no
// key or string holds lit, and every key and string is printable ASCII that JSON copies
// unescaped; bytes values and non-finite numbers (rendered or rejected differently) make it
// inconclusive.
func jsonCannotContain(v pcommon.Value, lit string) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return plainJSONString(v.Str(), lit)
	case pcommon.ValueTypeMap:
		for k, sub := range v.Map().All() {
			if !plainJSONString(k, lit) || !jsonCannotContain(sub, lit) {
				return false
			}
		}
		return true
	case pcommon.ValueTypeSlice:
		for _, sub := range v.Slice().All() {
			if !jsonCannotContain(sub, lit) {
				return false
			}
		}
		return true
	case pcommon.ValueTypeDouble:
		f := v.Double()
		return !math.IsNaN(f) && !math.IsInf(f, 0)
	case pcommon.ValueTypeInt, pcommon.ValueTypeBool, pcommon.ValueTypeEmpty:
		return true
	}
	return false
}

func plainJSONString(s, lit string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return !strings.Contains(s, lit)
}

// raw resolves a path operand to its pdata value; found is false for a missing key, ok is false
// where OTTL would fail.
func (o *nativeOperand) raw(r *recordEval) (v pcommon.Value, found, ok bool) {
	var m pcommon.Map
	switch o.kind {
	case operandAttributes:
		m = r.lr.Attributes()
	case operandResourceAttributes:
		m = r.res.Attributes()
	case operandBody:
		return o.resolveBody(r, len(o.keys))
	default:
		return pcommon.Value{}, false, false
	}
	v, found = m.Get(o.keys[0])
	for _, k := range o.keys[1:] {
		if !found {
			return v, false, true
		}
		if v.Type() != pcommon.ValueTypeMap {
			return v, false, false
		}
		v, found = v.Map().Get(k)
	}
	return v, found, true
}
