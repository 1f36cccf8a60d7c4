package oktareceiver

import (
	"encoding"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// Why this file exists: confighttp.ClientConfig, squashed into Config, implements
// confmap.Unmarshaler, and confmap decodes the other fields of a struct holding a squashed
// Unmarshaler with unused keys ignored (the squashed struct cannot tell its keys from its
// siblings'). ClientConfig and ServerConfig also decode themselves with WithIgnoreUnused.
// The effect is that the collector's own unknown-key check is off for the whole receiver
// block: `system_log: {enabeld: false}` would be accepted and do nothing. checkConfigKeys
// restores the check by walking the raw configuration against the mapstructure tags of
// Config (squashed structs inlined, as the decoder does).

// configKeyError is one problem with a key of the raw configuration, named by its dotted path.
type configKeyError struct {
	path string
	msg  string
}

func (e *configKeyError) Error() string { return e.path + ": " + e.msg }

var (
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType        = reflect.TypeFor[time.Duration]()
	mapListType         = reflect.TypeFor[configopaque.MapList]()
)

// configoptionalPkg is the package of configoptional.Optional, whose struct form accepts an
// `enabled` key beside the keys of its value type.
const configoptionalPkg = "go.opentelemetry.io/collector/config/configoptional"

// checkConfigKeys reports every key of raw that no field of t (a struct type) decodes, values
// the decoder would silently turn into something else (a bare number for a duration is read
// as nanoseconds, a fraction for an integer is truncated), and scalars of the wrong type
// (named by their dotted path, where the decoder would write map keys in brackets). Errors
// are in key order.
func checkConfigKeys(raw map[string]any, t reflect.Type) []error {
	var errs []error
	checkValue(raw, t, "", &errs)
	return errs
}

func checkValue(value any, t reflect.Type, path string, errs *[]error) {
	if value == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		checkDuration(value, path, errs)
		return
	case t == mapListType:
		return // a map or a list of {name, value}: decoded by configopaque itself
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return // component.ID and the like: parsed from text, with its own errors
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := value.(map[string]any)
		if !ok {
			return // a scalar for a struct: the decoder reports the type mismatch
		}
		checkStruct(m, t, path, errs)
	case reflect.Map:
		m, ok := value.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			checkValue(m[k], t.Elem(), joinPath(path, k), errs)
		}
	case reflect.Slice, reflect.Array:
		list, ok := value.([]any)
		if !ok {
			return
		}
		for i, v := range list {
			checkValue(v, t.Elem(), path+"["+strconv.Itoa(i)+"]", errs)
		}
	case reflect.Bool:
		if _, ok := value.(bool); !ok {
			*errs = append(*errs, &configKeyError{path, fmt.Sprintf("must be true or false, got %q", fmt.Sprint(value))})
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		switch v := value.(type) {
		case int, int64, uint64:
		case float64:
			if v != math.Trunc(v) {
				*errs = append(*errs, &configKeyError{path, fmt.Sprintf("must be a whole number, got %v", v)})
			}
		default:
			*errs = append(*errs, &configKeyError{path, fmt.Sprintf("must be a whole number, got %q", fmt.Sprint(value))})
		}
	case reflect.Float32, reflect.Float64:
		switch value.(type) {
		case int, int64, uint64, float64:
		default:
			*errs = append(*errs, &configKeyError{path, fmt.Sprintf("must be a number, got %q", fmt.Sprint(value))})
		}
	}
}

// checkDuration refuses a bare non-zero number: the decoder takes it as nanoseconds, so
// `poll_interval: 10` would mean 10ns.
func checkDuration(value any, path string, errs *[]error) {
	var n float64
	switch v := value.(type) {
	case int:
		n = float64(v)
	case int64:
		n = float64(v)
	case uint64:
		n = float64(v)
	case float64:
		n = v
	default:
		return // a string is parsed by the decoder, with its own error
	}
	if n != 0 {
		*errs = append(*errs, &configKeyError{path, fmt.Sprintf(
			"a duration needs a unit (e.g. \"%vs\"); a bare number would be read as %v nanoseconds", value, value)})
	}
}

// checkStruct checks the keys of m against the fields of struct type t.
func checkStruct(m map[string]any, t reflect.Type, path string, errs *[]error) {
	fields := map[string]reflect.Type{}
	if t.PkgPath() == configoptionalPkg && strings.HasPrefix(t.Name(), "Optional[") {
		inner, ok := optionalValueType(t)
		if !ok {
			return
		}
		if inner.Kind() != reflect.Struct {
			return
		}
		collectFields(inner, fields)
		fields["enabled"] = reflect.TypeFor[bool]()
	} else {
		collectFields(t, fields)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ft, ok := fields[k]
		if !ok {
			*errs = append(*errs, unknownKeyError(joinPath(path, k), k, fields))
			continue
		}
		checkValue(m[k], ft, joinPath(path, k), errs)
	}
}

// optionalValueType returns T of configoptional.Optional[T] (the element of its Get result).
func optionalValueType(t reflect.Type) (reflect.Type, bool) {
	get, ok := reflect.PointerTo(t).MethodByName("Get")
	if !ok || get.Type.NumOut() != 1 || get.Type.Out(0).Kind() != reflect.Pointer {
		return nil, false
	}
	return get.Type.Out(0).Elem(), true
}

// collectFields adds the key of every exported field of t, inlining squashed structs.
func collectFields(t reflect.Type, into map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get(confmap.MapstructureTag)
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "squash") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, into)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[name] = f.Type
	}
}

// unknownKeyError names the key and, when one is close (edit distance ≤ 2), the valid key
// it probably meant.
func unknownKeyError(path, key string, fields map[string]reflect.Type) error {
	msg := "unknown key"
	if near := nearestKey(key, fields); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	valid := slices.Sorted(maps.Keys(fields))
	if len(valid) <= 16 {
		msg += "; valid keys here: " + strings.Join(valid, ", ")
	}
	return &configKeyError{path, msg}
}

// maxSuggestionDistance is the largest edit distance between a misspelled key and the
// valid key suggested for it: beyond 2 edits the suggestion is more often wrong than right.
const maxSuggestionDistance = 2

func nearestKey(key string, fields map[string]reflect.Type) string {
	best, bestDist := "", maxSuggestionDistance+1
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if d := levenshtein.ComputeDistance(strings.ToLower(key), name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
