package e2e

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP field numbers walked by scanLogRecordAttrs (opentelemetry-proto logs/v1, common/v1).
const (
	fieldRequestResourceLogs = 1 // ExportLogsServiceRequest.resource_logs
	fieldResourceScopeLogs   = 2 // ResourceLogs.scope_logs
	fieldScopeLogRecords     = 2 // ScopeLogs.log_records
	fieldRecordAttributes    = 6 // LogRecord.attributes
	fieldKeyValueKey         = 1 // KeyValue.key
	fieldKeyValueValue       = 2 // KeyValue.value
	fieldAnyValueString      = 1 // AnyValue.string_value
)

// scanLogRecordAttrs walks an OTLP/protobuf ExportLogsServiceRequest and calls visit once per
// log record with the record's string attributes named in keys (absent ones are ""), without
// building pdata: the sink of the throughput benchmarks must cost far less CPU than the
// collector it measures. Unknown fields are skipped; malformed input is an error.
func scanLogRecordAttrs(req []byte, keys []string, visit func(values []string)) error {
	values := make([]string, len(keys))
	return forEachField(req, fieldRequestResourceLogs, func(rl []byte) error {
		return forEachField(rl, fieldResourceScopeLogs, func(sl []byte) error {
			return forEachField(sl, fieldScopeLogRecords, func(rec []byte) error {
				clear(values)
				err := forEachField(rec, fieldRecordAttributes, func(kv []byte) error {
					key, val, err := stringKeyValue(kv)
					if err != nil {
						return err
					}
					for i, k := range keys {
						if k == string(key) {
							values[i] = string(val)
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
				visit(values)
				return nil
			})
		})
	})
}

// forEachField calls fn with the bytes of every length-delimited field num of msg.
func forEachField(msg []byte, num protowire.Number, fn func([]byte) error) error {
	for len(msg) > 0 {
		n, typ, tagLen := protowire.ConsumeTag(msg)
		if tagLen < 0 {
			return fmt.Errorf("otlp scan: tag: %w", protowire.ParseError(tagLen))
		}
		msg = msg[tagLen:]
		if n == num && typ == protowire.BytesType {
			v, vLen := protowire.ConsumeBytes(msg)
			if vLen < 0 {
				return fmt.Errorf("otlp scan: field %d: %w", num, protowire.ParseError(vLen))
			}
			if err := fn(v); err != nil {
				return err
			}
			msg = msg[vLen:]
			continue
		}
		skip := protowire.ConsumeFieldValue(n, typ, msg)
		if skip < 0 {
			return fmt.Errorf("otlp scan: field %d: %w", n, protowire.ParseError(skip))
		}
		msg = msg[skip:]
	}
	return nil
}

// stringKeyValue decodes a KeyValue; val is nil unless its AnyValue holds a string. Both
// alias kv.
func stringKeyValue(kv []byte) (key, val []byte, err error) {
	err = forEachField(kv, fieldKeyValueKey, func(b []byte) error {
		key = b
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = forEachField(kv, fieldKeyValueValue, func(anyValue []byte) error {
		return forEachField(anyValue, fieldAnyValueString, func(b []byte) error {
			val = b
			return nil
		})
	})
	return key, val, err
}
