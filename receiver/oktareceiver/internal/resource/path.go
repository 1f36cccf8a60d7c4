package resource

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Path names a field of a decoded JSON object (map[string]any, numbers as json.Number or
// float64): keys separated by dots, e.g. "profile.login". It is the one accessor the receiver
// reads Okta objects with.
type Path string

// Text returns the value at p as text: a string as is, a number or a bool written out, ""
// when the field is absent or holds an object, an array or null.
func (p Path) Text(obj map[string]any) string {
	switch v := p.value(obj).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool, float64:
		return fmt.Sprint(v)
	}
	return ""
}

// Int returns the integer at p (0 when absent or not a number; a fraction is truncated).
func (p Path) Int(obj map[string]any) int64 {
	switch v := p.value(obj).(type) {
	case json.Number:
		i, _ := v.Int64()
		return i
	case float64:
		return int64(v)
	}
	return 0
}

// Bool returns the bool at p (false when absent or not a bool).
func (p Path) Bool(obj map[string]any) bool {
	b, _ := p.value(obj).(bool)
	return b
}

// value walks obj along p; nil when a step is missing or not an object.
func (p Path) value(obj map[string]any) any {
	rest := string(p)
	cur := obj
	for {
		key, more, found := strings.Cut(rest, ".")
		v, ok := cur[key]
		if !ok || !found {
			return v
		}
		next, isObject := v.(map[string]any)
		if !isObject {
			return nil
		}
		cur, rest = next, more
	}
}
