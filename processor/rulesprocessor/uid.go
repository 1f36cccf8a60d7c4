package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Kinds of records this processor creates; each kind hashes its own fields (recordUID), and the
// kind is hashed too, so records of different kinds never share an id.
const (
	uidFinding          = "finding"
	uidThresholdFinding = "threshold-finding"
	uidAggregateFinding = "aggregate-finding"
	uidSummary          = "summary"
)

// recordUID is the log.record.uid of a record this processor creates: a hash of the record's kind
// and of the fields that identify it (rule, resource or event, time). The same record built
// again (a batch re-delivered, a summary re-sent) gets the same id, so backends can deduplicate;
// two different records differ in one of the fields and get different ids. It is never the uuid
// of the System Log event behind a finding: that one goes to okta.event.uuid.
func recordUID(kind string, fields ...string) string {
	var stack [512]byte
	buf := appendField(stack[:0], kind)
	for _, f := range fields {
		buf = appendField(buf, f)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// appendField appends s with its length in front, so that no two field lists hash the same bytes.
func appendField(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// timestampKey renders a timestamp as a recordUID field.
func timestampKey(ts pcommon.Timestamp) string {
	return strconv.FormatUint(uint64(ts), 10)
}
