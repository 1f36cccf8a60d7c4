package rulesprocessor

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestSharedConditionsMatchOTTL checks the processor's evaluation (each distinct condition
// parsed once and evaluated at most once per record) against OTTL itself: for every shipped
// rule, on every fixture record of both packs and on variants where each body path the rule
// reads holds another type (strings, numbers, bools, nothing, a map, a slice, bytes, NaN,
// escapable text), the match and condition results and errors through the shared table equal
// those of the rule's own match and condition parsed alone and evaluated by OTTL.
func TestSharedConditionsMatchOTTL(t *testing.T) {
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	parser, err := newLogParser(nopTelemetry())
	require.NoError(t, err)
	type own struct{ match, condition *logCondition }
	alone := map[*compiledRule]own{}
	for _, r := range rs.rules {
		var o own
		if r.Match != "" {
			o.match, err = parser.ParseCondition(r.Match)
			require.NoError(t, err)
		}
		o.condition, err = parser.ParseCondition(r.Condition)
		require.NoError(t, err)
		alone[r] = o
	}
	rec := newRecordEval(rs.conditions.size())
	checked := 0
	check := func(what string, rl plog.ResourceLogs, lr plog.LogRecord) {
		keys, ok := recordKeysOf(lr)
		if !ok {
			return
		}
		sl := rl.ScopeLogs().At(0)
		rec.start(context.Background(), rl, sl, lr)
		defer rec.done()
		for _, bucket := range rs.index.appendCandidates(nil, keys) {
			for _, r := range bucket {
				for _, part := range []struct {
					name string
					slot int
					cond *logCondition
				}{{"match", r.match, alone[r].match}, {"condition", r.condition, alone[r].condition}} {
					if part.cond == nil {
						continue
					}
					got, gotErr := rec.eval(rs.conditions, part.slot)
					ref := &recordEval{rl: rl, sl: sl, lr: lr}
					want, wantErr := part.cond.Eval(context.Background(), ref.transformContext())
					ref.done()
					checked++
					require.Equalf(t, wantErr != nil, gotErr != nil, "rule %s %s on %s: error %v, OTTL alone %v", r.ID, part.name, what, gotErr, wantErr)
					require.Equalf(t, want, got, "rule %s %s on %s", r.ID, part.name, what)
				}
			}
		}
	}
	for _, ld := range allFixtureRecords(t) {
		rl := ld.ResourceLogs().At(0)
		for i, base := range rl.ScopeLogs().At(0).LogRecords().All() {
			check(fmt.Sprintf("fixture record %d", i), rl, base)
			keys, ok := recordKeysOf(base)
			if !ok {
				continue
			}
			// Every path a candidate rule reads, once, with each variant in turn.
			paths := map[string][]string{}
			for _, bucket := range rs.index.appendCandidates(nil, keys) {
				for _, r := range bucket {
					for _, path := range bodyPaths(r.Match + " " + r.Condition) {
						paths[fmt.Sprint(path)] = path
					}
				}
			}
			for name, path := range paths {
				for vi, variant := range valueVariants() {
					ld2 := plog.NewLogs()
					rl2 := ld2.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(rl2.Resource())
					lr2 := rl2.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
					base.CopyTo(lr2)
					setBodyPath(lr2.Body(), path, variant)
					check(fmt.Sprintf("variant %d at %s", vi, name), rl2, lr2)
				}
			}
		}
	}
	t.Logf("%d evaluations checked against OTTL", checked)
	assert.Greater(t, checked, 10000)
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

var bodyPathRe = regexp.MustCompile(`log\.body((?:\["(?:[^"\\]|\\.)*"\])+)`)
var bodyKeyRe = regexp.MustCompile(`\["((?:[^"\\]|\\.)*)"\]`)

// bodyPaths lists the body paths (log.body["a"]["b"] as [a b]) that OTTL text reads.
func bodyPaths(src string) [][]string {
	var out [][]string
	for _, m := range bodyPathRe.FindAllStringSubmatch(src, -1) {
		var keys []string
		for _, k := range bodyKeyRe.FindAllStringSubmatch(m[1], -1) {
			s, err := strconv.Unquote(`"` + k[1] + `"`)
			if err != nil {
				s = k[1]
			}
			keys = append(keys, s)
		}
		out = append(out, keys)
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
