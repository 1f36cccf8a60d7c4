package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// fileExporterTail ends a test config whose receiver section is done: okta → file exporter
// writing {{DIR}}/records.jsonl (flushed every 100 ms, see readRecords), with the health_check
// extension and the collector's own metrics off.
const fileExporterTail = `
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
    flush_interval: 100ms
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      exporters: [file/okta]
`

// record is one log record read back from the file exporter's output.
type record struct {
	EventName string
	Attrs     pcommon.Map
	Resource  pcommon.Map
	Body      pcommon.Value
}

func (r record) attr(key string) string {
	v, ok := r.Attrs.Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

// readRecords reads every complete line of a file exporter output (OTLP JSON,
// one ExportLogsServiceRequest per line). A last line that the exporter is
// still writing is ignored.
func readRecords(path string) ([]record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []record
	var um plog.JSONUnmarshaler
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	complete := bytes.HasSuffix(data, []byte("\n"))
	lines := bytes.Count(data, []byte("\n"))
	n := 0
	for sc.Scan() {
		n++
		if n > lines && !complete {
			break
		}
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ld, err := um.UnmarshalLogs(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, record{EventName: lr.EventName(), Attrs: lr.Attributes(), Resource: rl.Resource().Attributes(), Body: lr.Body()})
				}
			}
		}
	}
	return out, sc.Err()
}
