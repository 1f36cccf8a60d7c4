package zz

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
)

func TestX(t *testing.T) {
	p, err := ottllog.NewParser(ottlfuncs.StandardConverters[*ottllog.TransformContext](), componenttest.NewNopTelemetrySettings(), ottllog.EnablePathContextNames())
	if err != nil { t.Fatal(err) }
	ld := plog.NewLogs(); rl := ld.ResourceLogs().AppendEmpty(); sl := rl.ScopeLogs().AppendEmpty(); lr := sl.LogRecords().AppendEmpty()
	_ = lr.Body().SetEmptyMap().FromRaw(map[string]any{"lastLogin": "2020-01-02T03:04:05.000Z", "n": 5, "l": []any{"a", "b"}, "m": map[string]any{"x": 1}, "t": []any{map[string]any{"id": "x"}}})
	for _, c := range []string{
		`Now() - Time(log.body["lastLogin"], "%Y-%m-%dT%H:%M:%S.%LZ") > Duration("720h")`,
		`log.body["missing"] != nil and Now() - Time(log.body["missing"], "%Y-%m-%dT%H:%M:%S.%LZ") > Duration("720h")`,
		`log.body["n"] < 15`,
		`log.body["nope"]["x"] < 15`,
		`log.body["nope"]["x"] == nil`,
		`ContainsValue(log.body["l"], "a")`,
		`IsMatch(log.body["nope"], "x")`,
		`log.body["m"]["x"] == 1`,
		`log.body["t"][0]["id"] == "x"`,
		`log.body["t"][3]["id"] == "x"`,
		`Len(log.body["l"]) > 1`,
		`not ContainsValue(log.body["l"], "z")`,
		`log.body["l"] == nil or not ContainsValue(log.body["l"], "z")`,
		`IsMatch(String(log.body["t"]), "x")`,
		`HasPrefix(log.body["lastLogin"], "2020")`,
		`log.body["n"] > 3.5`,
	} {
		cs, err := p.ParseConditions([]string{c})
		if err != nil { t.Logf("PARSE %s: %v", c, err); continue }
		tc := ottllog.NewTransformContext(rl, sl, lr)
		v, err := cs[0].Eval(context.Background(), tc)
		tc.Close()
		t.Logf("%s => %v %v", c, v, err)
	}
}
