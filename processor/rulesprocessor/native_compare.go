package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import "cmp"

type scalarKind int

const (
	scalarNil scalarKind = iota
	scalarString
	scalarBool
	scalarInt
	scalarFloat
)

// scalar is a value read from a record or a literal, without boxing it into an interface.
type scalar struct {
	kind scalarKind
	s    string
	b    bool
	i    int64
	f    float64
}

func literalScalar(v any) scalar {
	switch x := v.(type) {
	case string:
		return scalar{kind: scalarString, s: x}
	case bool:
		return scalar{kind: scalarBool, b: x}
	case int64:
		return scalar{kind: scalarInt, i: x}
	case float64:
		return scalar{kind: scalarFloat, f: x}
	}
	return scalar{}
}

type nativeOp int

const (
	opEq nativeOp = iota
	opNe
	opLt
	opLte
	opGt
	opGte
)

// compareScalars follows OTTL's comparator (pkg/ottl compare.go) for nil, string, bool, int64
// and float64: two nils are equal; nil and a value, or values of unrelated types, are only
// "not equal" (every other operator is false); ints and floats compare as floats; bools order
// false < true. TestCompareScalarsMatchesOTTL checks every pair of kinds and every operator.
func compareScalars(a, b scalar, op nativeOp) bool {
	if a.kind == scalarNil && b.kind == scalarNil {
		return op == opEq || op == opLte || op == opGte
	}
	switch {
	case a.kind == scalarString && b.kind == scalarString:
		return compareOrdered(a.s, b.s, op)
	case a.kind == scalarInt && b.kind == scalarInt:
		return compareOrdered(a.i, b.i, op)
	case a.kind == scalarInt && b.kind == scalarFloat:
		return compareOrdered(float64(a.i), b.f, op)
	case a.kind == scalarFloat && b.kind == scalarInt:
		return compareOrdered(a.f, float64(b.i), op)
	case a.kind == scalarFloat && b.kind == scalarFloat:
		return compareOrdered(a.f, b.f, op)
	case a.kind == scalarBool && b.kind == scalarBool:
		return compareBools(a.b, b.b, op)
	}
	return op == opNe
}

func compareOrdered[T cmp.Ordered](a, b T, op nativeOp) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLte:
		return a <= b
	case opGt:
		return a > b
	case opGte:
		return a >= b
	}
	return false
}

func compareBools(a, b bool, op nativeOp) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return !a && b
	case opLte:
		return !a || b
	case opGt:
		return a && !b
	case opGte:
		return a || !b
	}
	return false
}
