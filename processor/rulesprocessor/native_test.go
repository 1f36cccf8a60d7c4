package rulesprocessor

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestNativeMatchesOTTL is the contract of the native evaluator: for every shipped rule, on every
// fixture record of both packs and on variants where each path the rule reads holds another type
// (string, numbers, bools, nothing, a map, a slice, bytes, NaN, non-ASCII and escapable text), the
// native result either defers to OTTL or equals OTTL's result, and it never decides where OTTL
// reports an error.
func TestNativeMatchesOTTL(t *testing.T) {
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	records := allFixtureRecords(t)
	cache := newPathCache(rs.pathSlots)
	checked, decided := 0, 0
	check := func(r *compiledRule, what string, native nativeExpr, cond *logCondition, rl plog.ResourceLogs, lr plog.LogRecord) {
		if native == nil || cond == nil {
			return
		}
		sl := rl.ScopeLogs().At(0)
		cache.next()
		rec := &recordEval{ctx: context.Background(), rl: rl, sl: sl, lr: lr, res: rl.Resource(), cache: cache}
		got, ok := native.eval(rec)
		rec.close()
		ref := &recordEval{rl: rl, sl: sl, lr: lr}
		want, wantErr := cond.Eval(context.Background(), ref.transformContext())
		ref.close()
		checked++
		if !ok {
			return
		}
		decided++
		body, _ := lr.Body().AsRaw().(map[string]any)
		require.NoErrorf(t, wantErr, "rule %s %s: native decided %v where OTTL fails; body %v", r.ID, what, got, body)
		require.Equalf(t, want, got, "rule %s %s: native and OTTL differ; body %v", r.ID, what, body)
	}
	for _, ld := range records {
		rl := ld.ResourceLogs().At(0)
		lrs := rl.ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			base := lrs.At(i)
			candidates := map[*compiledRule]bool{}
			if keys, ok := recordKeysOf(base); ok {
				rs.index.candidates(keys, func(r *compiledRule) bool { candidates[r] = true; return true })
			}
			for _, r := range rs.rules {
				check(r, "match", r.nativeMatch, r.match, rl, base)
				check(r, "condition", r.nativeCondition, r.condition, rl, base)
				if !candidates[r] {
					continue // type variants only where the rule is dispatched
				}
				for _, path := range rulePaths(r) {
					for vi, variant := range valueVariants() {
						ld2 := plog.NewLogs()
						rl2 := ld2.ResourceLogs().AppendEmpty()
						rl.Resource().CopyTo(rl2.Resource())
						lr2 := rl2.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
						base.CopyTo(lr2)
						setBodyPath(lr2.Body(), path, variant)
						check(r, fmt.Sprintf("match (variant %d at %v)", vi, path), r.nativeMatch, r.match, rl2, lr2)
						check(r, fmt.Sprintf("condition (variant %d at %v)", vi, path), r.nativeCondition, r.condition, rl2, lr2)
					}
				}
			}
		}
	}
	t.Logf("%d native evaluations checked against OTTL, %d decided natively", checked, decided)
	assert.Greater(t, decided, checked/2, "the native evaluator should decide most evaluations")
}

// allFixtureRecords returns one batch per fixture sequence of both packs.
func allFixtureRecords(t *testing.T) []plog.Logs {
	var out []plog.Logs
	for _, pack := range []string{packPosture, packDetections} {
		f := loadFixtures(t, pack)
		for _, rule := range f.Rules {
			for _, seq := range [][]fixtureRecord{rule.Violating, rule.Compliant} {
				var recs []fixtureRecord
				for _, r := range seq {
					r.Repeat = 1
					recs = append(recs, f.resolve(t, r))
				}
				out = append(out, buildLogs(t, recs, benchStart))
			}
		}
	}
	return out
}

// rulePaths lists the body paths a rule's native evaluator reads.
func rulePaths(r *compiledRule) [][]string {
	var out [][]string
	var walk func(e nativeExpr)
	addOperand := func(o nativeOperand) {
		if o.kind == operandBody {
			out = append(out, o.keys)
		}
	}
	walk = func(e nativeExpr) {
		switch x := e.(type) {
		case *nativeAnd:
			for _, v := range x.values {
				walk(v)
			}
		case *nativeOr:
			for _, v := range x.terms {
				walk(v)
			}
		case *nativeNot:
			walk(x.x)
		case *nativeCompare:
			addOperand(x.left)
			addOperand(x.right)
		case *nativeIsMatch:
			addOperand(x.target)
		case *nativeStringMatch:
			addOperand(x.target)
		}
	}
	for _, e := range []nativeExpr{r.nativeMatch, r.nativeCondition} {
		if e != nil {
			walk(e)
		}
	}
	return out
}

// valueVariants are the values written at a path to exercise every type branch.
func valueVariants() []func(pcommon.Value) {
	return []func(pcommon.Value){
		func(v pcommon.Value) { v.SetStr("ACTIVE") },
		func(v pcommon.Value) { v.SetStr("") },
		func(v pcommon.Value) { v.SetInt(0) },
		func(v pcommon.Value) { v.SetInt(100000) },
		func(v pcommon.Value) { v.SetDouble(1.5) },
		func(v pcommon.Value) { v.SetDouble(math.NaN()) },
		func(v pcommon.Value) { v.SetBool(true) },
		func(v pcommon.Value) { v.SetBool(false) },
		func(pcommon.Value) {}, // empty
		func(v pcommon.Value) { v.SetEmptyMap().PutStr("displayName", "Okta Admin Console") },
		func(v pcommon.Value) { v.SetEmptyMap().PutStr("k", "a <b> & \"c\"\n é Okta\u2028Admin") },
		func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetStr("phishingResistant: REQUIRED") },
		func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetDouble(math.Inf(1)) },
		func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte("Okta Admin Console")) },
		nil, // delete the key
	}
}

// setBodyPath writes a variant at path, creating maps on the way (nil variant: delete the key).
func setBodyPath(body pcommon.Value, path []string, set func(pcommon.Value)) {
	if body.Type() != pcommon.ValueTypeMap {
		return
	}
	m := body.Map()
	for _, k := range path[:len(path)-1] {
		v, ok := m.Get(k)
		if !ok || v.Type() != pcommon.ValueTypeMap {
			m = m.PutEmptyMap(k)
			continue
		}
		m = v.Map()
	}
	last := path[len(path)-1]
	if set == nil {
		m.Remove(last)
		return
	}
	set(m.PutEmpty(last))
}

// TestCompareScalarsMatchesOTTL checks compareScalars against OTTL's own comparator on every pair
// of kinds and every operator.
func TestCompareScalarsMatchesOTTL(t *testing.T) {
	values := []any{nil, "a", "b", "", int64(0), int64(3), float64(3), 2.5, math.NaN(), true, false}
	ops := map[nativeOp]func(a, b any) bool{}
	c := ottlComparator()
	ops[opEq], ops[opNe], ops[opLt] = c.Equal, c.NotEqual, c.Less
	ops[opLte], ops[opGt], ops[opGte] = c.LessEqual, c.Greater, c.GreaterEqual
	for _, a := range values {
		for _, b := range values {
			for op, ref := range ops {
				assert.Equalf(t, ref(a, b), compareScalars(literalScalar(a), literalScalar(b), op), "%#v op %d %#v", a, op, b)
			}
		}
	}
}

// TestCompileNativeSubset pins which shapes are evaluated natively and which go to OTTL leaves.
func TestCompileNativeSubset(t *testing.T) {
	parser, err := newLogParser(nopTelemetry())
	require.NoError(t, err)
	for src, want := range map[string]string{
		`log.body["a"]["b"] == "x" and not (log.body["c"] != nil or log.attributes["k"] >= 3)`: "native",
		`IsMatch(log.body["a"], "^x") or log.event_name == "e" or true`:                        "native",
		`IsMatch(String(log.body["t"]), "Okta Admin Console")`:                                 "native",
		`log.body["a"] != nil and Len(log.body["a"]) > 0`:                                      "hybrid",
		`log.body["a"] != nil and Now() - Time(log.body["a"], "%Y") > Duration("1h")`:          "hybrid",
		`log.body["a"] == "x\"y"`: "hybrid",
		`log.body["a"][0] == "x"`: "hybrid",
		`log.body["a"] == 1 + 2`:  "none",
	} {
		e, err := compileNative(src, newPathInterner(), &parser)
		got := "none"
		if err == nil {
			got = "native"
			if hasOTTLLeaf(e) {
				got = "hybrid"
			}
		}
		assert.Equal(t, want, got, src)
	}
	assert.Equal(t, "Okta Admin Console", requiredLiteral("Okta Admin Console"))
	assert.Equal(t, "dministrator", requiredLiteral("(Super|Organization) [aA]dministrator"))
	assert.Equal(t, "phishingResistant", requiredLiteral("phishingResistant.{0,4}REQUIRED"))
	assert.Empty(t, requiredLiteral("(?i)session.{0,40}hijack"))
	assert.Empty(t, requiredLiteral("true"), "a literal JSON can write outside strings is not usable")
}

func hasOTTLLeaf(e nativeExpr) bool {
	switch x := e.(type) {
	case *ottlLeaf:
		return true
	case *nativeAnd:
		for _, v := range x.values {
			if hasOTTLLeaf(v) {
				return true
			}
		}
	case *nativeOr:
		for _, v := range x.terms {
			if hasOTTLLeaf(v) {
				return true
			}
		}
	case *nativeNot:
		return hasOTTLLeaf(x.x)
	}
	return false
}

func ottlComparator() ottl.ValueComparator { return ottl.NewValueComparator() }
