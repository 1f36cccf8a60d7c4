package emit

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// MaxNestedDepth bounds the nesting SetValue copies: an array or object this many levels
// below the value it was given is stored as its JSON text, so that hostile input cannot
// exhaust the stack.
const MaxNestedDepth = 64

// SetValue copies a decoded JSON value into dst, keeping its JSON type: objects become maps
// (members in key order, so that bodies are deterministic), arrays slices, integers int64,
// other numbers doubles (a json.Number that fits neither is kept as its decimal string), null
// stays empty. Nesting deeper than MaxNestedDepth is stored as JSON text (SetJSONString).
func SetValue(dst pcommon.Value, v any) { setValue(dst, v, 0) }

func setValue(dst pcommon.Value, v any, depth int) {
	switch x := v.(type) {
	case nil:
		// empty value == JSON null
	case string:
		dst.SetStr(x)
	case bool:
		dst.SetBool(x)
	case json.Number:
		setNumber(dst, x)
	case float64:
		dst.SetDouble(x)
	case int64:
		dst.SetInt(x)
	case int:
		dst.SetInt(int64(x))
	case map[string]any:
		if depth >= MaxNestedDepth {
			SetJSONString(dst, x)
			return
		}
		m := dst.SetEmptyMap()
		m.EnsureCapacity(len(x))
		for _, k := range sortedKeys(x) {
			setValue(m.PutEmpty(k), x[k], depth+1)
		}
	case []any:
		if depth >= MaxNestedDepth {
			SetJSONString(dst, x)
			return
		}
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(x))
		for _, item := range x {
			setValue(s.AppendEmpty(), item, depth+1)
		}
	default:
		dst.SetStr(fmt.Sprint(x))
	}
}

// SetJSONString stores v re-encoded as JSON text (what SetValue does below its nesting limit).
func SetJSONString(dst pcommon.Value, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		dst.SetStr(fmt.Sprint(v))
		return
	}
	dst.SetStr(string(b))
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// setNumber stores n as int64 when it parses as one, else as a finite double, else as its text.
func setNumber(dst pcommon.Value, n json.Number) {
	s := n.String()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		dst.SetInt(i)
		return
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
		dst.SetDouble(f)
		return
	}
	dst.SetStr(s)
}
