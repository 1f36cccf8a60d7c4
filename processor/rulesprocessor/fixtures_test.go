package rulesprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

// fixtureFile is testdata/fixtures/<pack>.yaml: reusable base records and, per rule id, a
// violating and a compliant sequence of records.
type fixtureFile struct {
	Bases map[string]fixtureRecord `yaml:"bases"`
	Rules map[string]struct {
		Violating []fixtureRecord `yaml:"violating"`
		Compliant []fixtureRecord `yaml:"compliant"`
	} `yaml:"rules"`
}

// fixtureRecord describes one inventory record (type) or System Log record (event).
type fixtureRecord struct {
	Base   string         `yaml:"base"`
	Type   string         `yaml:"type"`
	Event  string         `yaml:"event"`
	Change string         `yaml:"change"`
	Attrs  map[string]any `yaml:"attrs"`
	Body   map[string]any `yaml:"body"`
	// Set overrides body fields by dotted path ("settings.password.age.maxAgeDays"); null deletes.
	Set map[string]any `yaml:"set"`
	// Repeat emits the record n times (distinct resource ids / event uuids, one second apart).
	Repeat int `yaml:"repeat"`
}

const testOrgURL = "https://acme.okta.com"

func loadFixtures(t testing.TB, pack string) fixtureFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "fixtures", pack+".yaml"))
	require.NoError(t, err)
	var f fixtureFile
	require.NoError(t, yaml.Unmarshal(raw, &f))
	return f
}

// resolve merges a fixture record over its base and applies Set.
func (f fixtureFile) resolve(t testing.TB, r fixtureRecord) fixtureRecord {
	t.Helper()
	out := fixtureRecord{Attrs: map[string]any{}, Body: map[string]any{}}
	if r.Base != "" {
		b, ok := f.Bases[r.Base]
		require.True(t, ok, "unknown fixture base %q", r.Base)
		b = f.resolve(t, b)
		out.Type, out.Event = b.Type, b.Event
		for k, v := range b.Attrs {
			out.Attrs[k] = v
		}
		for k, v := range b.Body {
			out.Body[k] = deepCopy(v)
		}
	}
	if r.Type != "" {
		out.Type = r.Type
	}
	if r.Event != "" {
		out.Event = r.Event
	}
	out.Change, out.Repeat = r.Change, r.Repeat
	for k, v := range r.Attrs {
		out.Attrs[k] = v
	}
	for k, v := range r.Body {
		out.Body[k] = deepCopy(v)
	}
	for _, k := range sortedKeys(r.Set) {
		setPath(out.Body, strings.Split(k, "."), deepCopy(r.Set[k]))
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

func setPath(m map[string]any, path []string, v any) {
	if len(path) == 1 {
		if v == nil {
			delete(m, path[0])
			return
		}
		m[path[0]] = v
		return
	}
	next, ok := m[path[0]].(map[string]any)
	if !ok {
		next = map[string]any{}
		m[path[0]] = next
	}
	setPath(next, path[1:], v)
}

// expandNow replaces "NOW", "NOW-48h", "NOW+1h" strings by Okta timestamps relative to now.
func expandNow(v any, now time.Time) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = expandNow(e, now)
		}
	case []any:
		for i, e := range x {
			x[i] = expandNow(e, now)
		}
	case string:
		if rest, ok := strings.CutPrefix(x, "NOW"); ok {
			var d time.Duration
			if rest != "" {
				parsed, err := time.ParseDuration(rest)
				if err != nil {
					return x
				}
				d = parsed
			}
			return now.Add(d).UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	return v
}

// buildLogs turns resolved fixture records into one batch following the data contract.
func buildLogs(t testing.TB, recs []fixtureRecord, start time.Time) plog.Logs {
	t.Helper()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(attrOrgURL, testOrgURL)
	rl.Resource().Attributes().PutStr(attrOrgID, "00o1acme")
	sl := rl.ScopeLogs().AppendEmpty()
	seq := 0
	for _, r := range recs {
		n := max(r.Repeat, 1)
		for i := range n {
			seq++
			lr := sl.LogRecords().AppendEmpty()
			body := expandNow(deepCopy(r.Body), time.Now()).(map[string]any)
			lr.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(seq) * time.Second)))
			attrs := lr.Attributes()
			if r.Event != "" {
				body["eventType"] = r.Event
				body["uuid"] = fmt.Sprintf("uuid-%d", seq)
				lr.SetEventName(r.Event)
				attrs.PutStr(attrRecordKind, kindSystemLog)
				attrs.PutStr(attrLogRecordUID, fmt.Sprintf("uuid-%d", seq))
				if actor, ok := body["actor"].(map[string]any); ok {
					if s, ok := actor["id"].(string); ok {
						attrs.PutStr(attrActorID, s)
					}
					if s, ok := actor["alternateId"].(string); ok {
						attrs.PutStr(attrActorName, s)
					}
				}
			} else {
				id, _ := body["id"].(string)
				if id == "" {
					id = r.Type + "-1"
				}
				if n > 1 {
					id = fmt.Sprintf("%s-%d", id, i)
				}
				attrs.PutStr(attrRecordKind, kindInventory)
				attrs.PutStr(attrResourceType, r.Type)
				attrs.PutStr(attrResourceID, id)
				if name, ok := body["name"].(string); ok {
					attrs.PutStr(attrResourceName, name)
				}
				if r.Change != "" {
					lr.SetEventName(eventChange)
					attrs.PutStr(attrChangeType, r.Change)
				} else {
					lr.SetEventName(eventSnapshot)
					attrs.PutStr(attrSyncID, "sync-1")
				}
			}
			for _, k := range sortedKeys(r.Attrs) {
				require.NoError(t, attrs.PutEmpty(k).FromRaw(r.Attrs[k]))
			}
			require.NoError(t, setSorted(lr.Body(), body))
		}
	}
	return ld
}

// setSorted writes raw into v like Value.FromRaw, with map keys in sorted order, so that the
// records built from fixtures (and the golden files written from them) are the same every run.
func setSorted(v pcommon.Value, raw any) error {
	switch x := raw.(type) {
	case map[string]any:
		m := v.SetEmptyMap()
		m.EnsureCapacity(len(x))
		for _, k := range sortedKeys(x) {
			if err := setSorted(m.PutEmpty(k), x[k]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		s := v.SetEmptySlice()
		s.EnsureCapacity(len(x))
		for _, e := range x {
			if err := setSorted(s.AppendEmpty(), e); err != nil {
				return err
			}
		}
		return nil
	}
	return v.FromRaw(raw)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	defaultRulesOnce sync.Once
	defaultRules     *ruleSet
	defaultRulesErr  error
)

// newTestProcessor builds the processor with a controllable clock; the default configuration's
// rule set is compiled once per test binary (compiling ~120 rules takes tens of milliseconds).
func newTestProcessor(t testing.TB, cfg *Config, sink *consumertest.LogsSink) (*rulesProcessor, *time.Time) {
	t.Helper()
	var p *rulesProcessor
	var err error
	if reflect.DeepEqual(cfg, createDefaultConfig()) {
		defaultRulesOnce.Do(func() { defaultRules, defaultRulesErr = compileRuleSet(createDefaultConfig(), nopTelemetry()) })
		require.NoError(t, defaultRulesErr)
		p, err = newRulesProcessorWithRules(processortest.NewNopSettings(metadata.Type), cfg, defaultRules, sink)
	} else {
		p, err = newRulesProcessor(processortest.NewNopSettings(metadata.Type), cfg, sink)
	}
	require.NoError(t, err)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	return p, &now
}

// findingsFor runs a sequence through a fresh processor (then settles the sync and flushes) and
// returns the ids of the rules that produced findings.
func findingsFor(t *testing.T, recs []fixtureRecord) map[string]int {
	t.Helper()
	sink := &consumertest.LogsSink{}
	p, now := newTestProcessor(t, createDefaultConfig(), sink)
	out, err := p.processLogs(context.Background(), buildLogs(t, recs, *now))
	require.NoError(t, err)
	*now = now.Add(2 * p.cfg.Summary.Interval)
	require.NoError(t, p.flush(context.Background()))
	got := map[string]int{}
	for _, ld := range append([]plog.Logs{out}, sink.AllLogs()...) {
		forEachRecord(ld, func(lr plog.LogRecord) {
			if lr.EventName() == eventFinding {
				id, _ := lr.Attributes().Get(attrRuleUUID)
				got[id.Str()]++
			}
		})
	}
	return got
}

func forEachRecord(ld plog.Logs, fn func(plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				fn(lr)
			}
		}
	}
}

// TestEveryShippedRuleHasFixtures runs every shipped rule on its violating and compliant
// fixtures; a rule without both fails the test.
func TestEveryShippedRuleHasFixtures(t *testing.T) {
	rs, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	files := map[string]fixtureFile{}
	for _, r := range rs.rules {
		f, ok := files[r.ruleset]
		if !ok {
			f = loadFixtures(t, r.ruleset)
			files[r.ruleset] = f
		}
		t.Run(r.ID, func(t *testing.T) {
			fx, ok := f.Rules[r.ID]
			require.True(t, ok, "rule %s has no fixtures in testdata/fixtures/%s.yaml", r.ID, r.ruleset)
			require.NotEmpty(t, fx.Violating, "rule %s has no violating fixture", r.ID)
			require.NotEmpty(t, fx.Compliant, "rule %s has no compliant fixture", r.ID)
			resolve := func(in []fixtureRecord) []fixtureRecord {
				out := make([]fixtureRecord, len(in))
				for i, rec := range in {
					out[i] = f.resolve(t, rec)
				}
				return out
			}
			require.Positive(t, findingsFor(t, resolve(fx.Violating))[r.ID], "violating fixture of %s raised no finding", r.ID)
			require.Zero(t, findingsFor(t, resolve(fx.Compliant))[r.ID], "compliant fixture of %s raised a finding", r.ID)
		})
	}
	for pack, f := range files {
		for id := range f.Rules {
			found := false
			for _, r := range rs.rules {
				found = found || r.ID == id
			}
			require.True(t, found, "testdata/fixtures/%s.yaml has fixtures for unknown rule %s", pack, id)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
