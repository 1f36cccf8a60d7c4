package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"regexp"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// nativeRecord is what a native expression reads: the record and its resource.
type nativeRecord struct {
	lr  plog.LogRecord
	res pcommon.Resource
}

// nativeExpr is a condition evaluated in Go, without OTTL's per-lookup allocations.
//
// eval returns ok=false when the record holds something the native evaluator does not reproduce
// exactly: a body that is not a map, a path step through a string or a slice (OTTL reports an
// error there), or a map, slice or bytes value at the end of a path. The caller then evaluates the
// rule's OTTL condition, which stays the reference; when ok is true the result is the one OTTL
// returns (TestNativeMatchesOTTL checks every shipped rule against OTTL on every fixture).
type nativeExpr interface {
	eval(r nativeRecord) (result, ok bool)
}

type nativeConst bool

func (c nativeConst) eval(nativeRecord) (bool, bool) { return bool(c), true }

type nativeNot struct{ x nativeExpr }

func (n *nativeNot) eval(r nativeRecord) (bool, bool) {
	v, ok := n.x.eval(r)
	return !v, ok
}

// nativeAnd short-circuits like OTTL: later values are not evaluated after a false one.
type nativeAnd struct{ values []nativeExpr }

func (a *nativeAnd) eval(r nativeRecord) (bool, bool) {
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

func (o *nativeOr) eval(r nativeRecord) (bool, bool) {
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

func (c *nativeCompare) eval(r nativeRecord) (bool, bool) {
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

func (m *nativeIsMatch) eval(r nativeRecord) (bool, bool) {
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
}

// get resolves the operand to a scalar; ok is false where OTTL would fail or return a map,
// slice or bytes value.
func (o *nativeOperand) get(r nativeRecord) (scalar, bool) {
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
		body := r.lr.Body()
		if body.Type() != pcommon.ValueTypeMap {
			return scalar{}, false
		}
		return lookupMap(body.Map(), o.keys)
	}
	return scalar{}, false
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
