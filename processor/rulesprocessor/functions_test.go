package rulesprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// evalText parses src with the rules' parser and evaluates it on the single record of a batch
// whose body is body.
func evalText(t *testing.T, src string, body map[string]any) (bool, error) {
	t.Helper()
	parser, err := newLogParser(nopTelemetry())
	require.NoError(t, err)
	cond, err := parser.ParseCondition(src)
	require.NoError(t, err, src)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	lr := sl.LogRecords().AppendEmpty()
	require.NoError(t, setSorted(lr.Body(), body))
	rec := &recordEval{ctx: context.Background(), rl: rl, sl: sl, lr: lr}
	defer rec.done()
	return cond.Eval(context.Background(), rec.transformContext())
}

func TestAnyElementMatches(t *testing.T) {
	admin := map[string]any{"id": "0oa1", "type": "AppInstance", "displayName": "Okta Admin Console"}
	pwd := map[string]any{"id": "lae1", "type": "AuthenticatorEnrollment", "displayName": "Password",
		"detailEntry": map[string]any{"methodTypeUsed": "password", "level": 2}}
	const byName = `AnyElementMatches(log.body["target"], ["displayName"], "^Okta Admin Console$")`
	const nested = `AnyElementMatches(log.body["target"], ["detailEntry", "methodTypeUsed"], "^password$")`
	const number = `AnyElementMatches(log.body["target"], ["detailEntry", "level"], "^2$")`
	cases := []struct {
		name   string
		cond   string
		target any
		want   bool
	}{
		{"first element", byName, []any{admin, pwd}, true},
		{"last element", byName, []any{pwd, "not an object", nil, admin}, true},
		{"no element", byName, []any{pwd}, false},
		{"empty list", byName, []any{}, false},
		{"absent source", byName, nil, false},
		{"map source is one element", byName, admin, true},
		{"map source without the key", byName, pwd, false},
		{"nested path", nested, []any{admin, pwd}, true},
		{"nested path through a non-object", nested, []any{map[string]any{"detailEntry": "password"}}, false},
		{"null at the path is skipped", `AnyElementMatches(log.body["target"], ["displayName"], "^$")`, []any{map[string]any{"displayName": nil}}, false},
		{"non-string value by its text", number, []any{pwd}, true},
		{"anchors apply to the whole field", `AnyElementMatches(log.body["target"], ["displayName"], "^Admin")`, []any{admin}, false},
		{"unanchored finds a substring", `AnyElementMatches(log.body["target"], ["displayName"], "Admin")`, []any{admin}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"eventType": "x"}
			if tc.target != nil {
				body["target"] = tc.target
			}
			got, err := evalText(t, tc.cond, body)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("scalar source is an error", func(t *testing.T) {
		_, err := evalText(t, byName, map[string]any{"target": "Okta Admin Console"})
		require.ErrorContains(t, err, "AnyElementMatches: source is a string, not a list or a map")
	})
	t.Run("bad arguments fail at parse time", func(t *testing.T) {
		parser, err := newLogParser(nopTelemetry())
		require.NoError(t, err)
		_, err = parser.ParseCondition(`AnyElementMatches(log.body["target"], [], "x")`)
		require.ErrorContains(t, err, "AnyElementMatches: path must name at least one key")
		_, err = parser.ParseCondition(`AnyElementMatches(log.body["target"], ["displayName"], "(")`)
		require.ErrorContains(t, err, "AnyElementMatches: pattern: error parsing regexp")
	})
}
