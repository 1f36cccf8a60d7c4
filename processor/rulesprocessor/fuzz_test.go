package rulesprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
)

// FuzzRuleConfig feeds arbitrary YAML into the path a collector config takes: confmap unmarshal
// into Config (the strict key and type checks), Validate (pack loading, param substitution, OTTL
// parsing of every rule). A configuration that validates is then run on a small batch. None of
// it may panic; bad input must come back as an error.
func FuzzRuleConfig(f *testing.F) {
	for _, seed := range []string{
		"packs: []\nrules:\n  - {id: A-1, name: n, severity: low, category: posture, match: 'log.attributes[\"okta.resource.type\"] == \"user\"', condition: 'log.body[\"status\"] == \"ACTIVE\"'}\n",
		"packs: []\nrules:\n  - {id: A-2, name: n, severity: high, category: detection, applies_to: {event_names: [\"user.*\"]}, condition: 'IsMatch(String(log.body[\"target\"]), \"Okta Admin\") and not (log.body[\"x\"] != nil or Len(log.body[\"y\"]) > 2)', threshold: {count: 2, window: 1m, group_by: 'log.body[\"actor\"][\"id\"]'}}\n",
		"packs: [okta-posture]\nparams: {min_password_length: 20, recent_change_days: \"3\"}\ndisable: [OKTA-POS-061]\n",
		"packs: [okta-detections]\nparams: {failed_signin_window: 0s}\n",
		"packs: [nope]\nparams: {unknown: 1}\ndisable: [X]\n",
		"packs: []\nrules:\n  - {id: A-3, name: n, severity: info, category: posture, condition: 'true', aggregate: {max: -1}}\n",
		"packs: []\nrules:\n  - {id: A-4, name: n, severity: low, category: posture, condition: 'log.body[\"a\"][0] == \"x\\\"y\" or 1 + 2 < 3.5'}\n",
		"summary: {enabled: true, interval: -1s}\nmax_threshold_keys: 0\nerror_mode: bogus\n",
		"rules: {not: a list}\n",
		"packs: []\nrules:\n  - {id: A-5, name: n, severity: low, category: detection, condition: 'IsMatch(log.body[\"a\"], \"(\")'}\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var raw map[string]any
		if err := yaml.Unmarshal([]byte(doc), &raw); err != nil || raw == nil {
			return
		}
		cfg := createDefaultConfig()
		if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			if err.Error() == "" {
				t.Fatal("Validate returned an empty error")
			}
			return
		}
		p, err := newRulesProcessor(processortest.NewNopSettings(metadata.Type), cfg, &consumertest.LogsSink{})
		if err != nil {
			return
		}
		_, _ = p.processLogs(context.Background(), fuzzBatch())
	})
}

// fuzzBatch is one inventory record and one System Log record with nested bodies.
func fuzzBatch() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(attrOrgURL, testOrgURL)
	sl := rl.ScopeLogs().AppendEmpty()
	inv := sl.LogRecords().AppendEmpty()
	inv.SetEventName(eventSnapshot)
	inv.Attributes().PutStr(attrRecordKind, kindInventory)
	inv.Attributes().PutStr(attrResourceType, "user")
	inv.Attributes().PutStr(attrResourceID, "00u1")
	_ = inv.Body().SetEmptyMap().FromRaw(map[string]any{"id": "00u1", "status": "ACTIVE", "a": []any{"x", 1}, "profile": map[string]any{"login": "a@b"}})
	ev := sl.LogRecords().AppendEmpty()
	ev.SetEventName("user.session.start")
	ev.Attributes().PutStr(attrRecordKind, kindSystemLog)
	_ = ev.Body().SetEmptyMap().FromRaw(map[string]any{"actor": map[string]any{"id": "00u1"}, "target": []any{map[string]any{"displayName": "Okta Admin Console"}}, "outcome": map[string]any{"result": "FAILURE"}})
	return ld
}
