package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/confmap"
)

// Unmarshal decodes the processor configuration over the defaults, strictly: every key of every
// block (top level, summary, each rule, its threshold, aggregate and applies_to) is checked
// against the configuration's fields, and every value against its field's type (an integer
// that an int holds exactly, a duration written as one, a list, a known error mode). Each
// problem is kept as one error that names the key, with the nearest valid name for a likely
// typo and the allowed range for a number; Validate reports them, and only them, since the
// values they concern did not decode as written. A block that is empty or null keeps the
// defaults.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	errs := checkBlock(raw, reflect.TypeFor[Config](), "")
	if len(errs) > 0 {
		// checkBlock removed what it reported: decode the rest, so that the errors come out of
		// Validate, each once, like every other configuration error.
		conf = confmap.NewFromStringMap(raw)
	}
	// configFields has Config's fields without this method, so decoding does not come back here.
	if err := conf.Unmarshal((*configFields)(cfg)); err != nil {
		return err
	}
	cfg.decodeErrs = errs
	return nil
}

// configFields is Config without its methods (see Unmarshal).
type configFields Config

var (
	durationType  = reflect.TypeFor[time.Duration]()
	errorModeType = reflect.TypeFor[ottl.ErrorMode]()
	errorModes    = []string{string(ottl.IgnoreError), string(ottl.SilentError), string(ottl.PropagateError)}
)

// checkBlock checks the keys and values of one block decoded from YAML against the struct type
// t, and deletes from raw every entry it reports. where names the block ("" at the top level).
func checkBlock(raw map[string]any, t reflect.Type, where string) []error {
	fields := blockFields(t)
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		ft, ok := fields[k]
		if !ok {
			errs = append(errs, fmt.Errorf("%sunknown key %q%s; valid keys: %s",
				prefix(where), k, didYouMean(k, names), strings.Join(names, ", ")))
			delete(raw, k)
			continue
		}
		verrs, drop := checkValue(raw[k], ft, join(where, k))
		errs = append(errs, verrs...)
		if drop {
			delete(raw, k)
		}
	}
	return errs
}

// checkValue checks one value against the type of its field. drop is true when the value
// itself is unusable (the field keeps its default); problems inside a block or list are
// removed there.
func checkValue(v any, t reflect.Type, where string) (errs []error, drop bool) {
	if v == nil {
		return nil, false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType:
		return one(checkDuration(v, where))
	case t == errorModeType:
		s, ok := v.(string)
		if !ok || !slices.Contains(errorModes, s) {
			return one(fmt.Errorf("%s: %s is not one of %s%s", where, show(v), strings.Join(errorModes, ", "), didYouMean(fmt.Sprint(v), errorModes)))
		}
	case t.Kind() == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return one(fmt.Errorf("%s: must be a block of keys, got %s", where, show(v)))
		}
		return checkBlock(m, t, where), false
	case t.Kind() == reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return one(fmt.Errorf("%s: must be a list, got %s", where, show(v)))
		}
		return checkList(list, t.Elem(), where)
	case t.Kind() == reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return one(fmt.Errorf("%s: must be a block of keys, got %s", where, show(v)))
		}
	case t.Kind() == reflect.Int:
		return one(checkInt(v, where))
	case t.Kind() == reflect.Bool:
		if _, ok := v.(bool); !ok {
			return one(fmt.Errorf("%s: must be true or false, got %s", where, show(v)))
		}
	case t.Kind() == reflect.String:
		if _, ok := v.(string); !ok {
			return one(fmt.Errorf("%s: must be a string, got %s", where, show(v)))
		}
	}
	return nil, false
}

// checkList checks the elements of a list of rules or of strings.
func checkList(list []any, elem reflect.Type, where string) (errs []error, drop bool) {
	for i, e := range list {
		switch elem.Kind() {
		case reflect.Struct:
			m, ok := e.(map[string]any)
			if !ok {
				errs = append(errs, fmt.Errorf("%s[%d]: must be a block of keys, got %s", where, i, show(e)))
				drop = true
				continue
			}
			errs = append(errs, checkBlock(m, elem, listItem(where, i, m))...)
		case reflect.String:
			if _, ok := e.(string); !ok {
				errs = append(errs, fmt.Errorf("%s[%d]: must be a string, got %s", where, i, show(e)))
				drop = true
			}
		}
	}
	return errs, drop
}

// checkInt accepts a number that an int holds exactly; the decoder would silently truncate
// 10.5 and wrap 1e20 or 2^64-1.
func checkInt(v any, where string) error {
	var got string
	switch n := v.(type) {
	case int, int64:
		return nil
	case float64:
		if n == math.Trunc(n) && n >= math.MinInt64 && n < math.MaxInt64 {
			return nil
		}
		got = strconv.FormatFloat(n, 'g', -1, 64)
	case uint64:
		if n <= math.MaxInt64 {
			return nil
		}
		got = strconv.FormatUint(n, 10)
	default:
		got = show(v)
	}
	if r, ok := intRangeOf(where); ok {
		return r.error(where, got)
	}
	return fmt.Errorf("%s: must be an integer, got %s", where, got)
}

// checkDuration accepts a duration written with its unit ("5m", "30s"); a bare number would
// be read as nanoseconds.
func checkDuration(v any, where string) error {
	if s, ok := v.(string); ok {
		if _, err := time.ParseDuration(s); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: must be a duration with a unit such as 30s, 5m or 1h, got %s", where, show(v))
}

// blockFields maps the mapstructure names of t's exported fields to their types.
func blockFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

// listItem names element i of a list of rules: rules[2] (id "ACME-1").
func listItem(where string, i int, m map[string]any) string {
	s := fmt.Sprintf("%s[%d]", where, i)
	if id, ok := m["id"].(string); ok && id != "" {
		s += fmt.Sprintf(" (id %q)", id)
	}
	return s
}

// show renders a configuration value in an error: strings quoted, blocks and lists by kind.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "a block of keys"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

func one(err error) ([]error, bool) {
	if err == nil {
		return nil, false
	}
	return []error{err}, true
}

func join(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

func prefix(where string) string {
	if where == "" {
		return ""
	}
	return where + ": "
}
