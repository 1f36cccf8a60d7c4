package e2e

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// TestScanLogRecordAttrsMatchesPdata: the sink's wire-format scan reads the same attributes,
// record by record, as a full pdata unmarshal, across resources and scopes, with non-string
// and absent attributes and a structured body in the way; a truncated request is an error.
func TestScanLogRecordAttrsMatchesPdata(t *testing.T) {
	logs := plog.NewLogs()
	var want [][2]string
	for r := range 2 {
		rl := logs.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("okta.org.url", "https://example.okta.com")
		for s := range 2 {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("scope")
			for i := range 3 {
				lr := sl.LogRecords().AppendEmpty()
				lr.SetEventName("user.session.start")
				lr.Body().SetEmptyMap().PutEmptyMap("actor").PutStr("id", "00u1")
				uid := fmt.Sprintf("uuid-%d-%d-%d", r, s, i)
				kind := "system_log"
				if i == 2 {
					kind = "inventory"
				}
				lr.Attributes().PutInt("okta.count", 7)
				lr.Attributes().PutStr("okta.record.kind", kind)
				if i != 1 {
					lr.Attributes().PutStr("log.record.uid", uid)
				} else {
					uid = ""
				}
				lr.Attributes().PutEmptySlice("okta.target.ids").AppendEmpty().SetStr("x")
				want = append(want, [2]string{kind, uid})
			}
		}
	}
	raw, err := plogotlp.NewExportRequestFromLogs(logs).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	err = scanLogRecordAttrs(raw, sinkAttrKeys, func(v []string) { got = append(got, [2]string{v[0], v[1]}) })
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("scan read\n%v\nwant\n%v", got, want)
	}
	if err := scanLogRecordAttrs(raw[:len(raw)-3], sinkAttrKeys, func([]string) {}); err == nil {
		t.Error("a truncated request scanned without error")
	}
}
