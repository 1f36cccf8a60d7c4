package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ruleFunctions are the OTTL functions rules may call: the standard converters plus
// AnyElementMatches.
func ruleFunctions() map[string]ottl.Factory[*ottllog.TransformContext] {
	fns := ottlfuncs.StandardConverters[*ottllog.TransformContext]()
	f := newAnyElementMatchesFactory()
	fns[f.Name()] = f
	return fns
}

// anyElementMatchesArguments are the arguments of AnyElementMatches(source, path, pattern).
type anyElementMatchesArguments struct {
	Source  ottl.Getter[*ottllog.TransformContext]
	Path    []string
	Pattern string
}

// newAnyElementMatchesFactory returns the OTTL converter AnyElementMatches(source, path, pattern):
// true when at least one element of the list source is an object holding, at the key path path,
// a value whose text (a string as is, any other value as pcommon.Value.AsString renders it)
// matches the regular expression pattern. A map source is inspected as a list of one element.
// Elements that are not objects, lack the path or hold null there are skipped; a missing or null
// source is false; any other source is an error.
//
// It answers questions such as "is one of the event's targets the Admin Console"
// (AnyElementMatches(log.body["target"], ["displayName"], "Okta Admin Console")), which the
// standard converters can only express as IsMatch(String(list), ...): that renders the whole
// list as JSON on every record, some forty times the CPU of reading the one field of each
// element, with 27 allocations instead of one (BenchmarkTargetTest). The standard Any converter
// with a lambda would read the field too, but lambdas are behind an alpha feature gate at this
// OTTL release.
func newAnyElementMatchesFactory() ottl.Factory[*ottllog.TransformContext] {
	return ottl.NewFactory("AnyElementMatches", &anyElementMatchesArguments{}, createAnyElementMatches)
}

func createAnyElementMatches(_ ottl.FunctionContext, oArgs ottl.Arguments) (ottl.ExprFunc[*ottllog.TransformContext], error) {
	args, ok := oArgs.(*anyElementMatchesArguments)
	if !ok {
		return nil, errors.New("AnyElementMatches: arguments must be of type *anyElementMatchesArguments")
	}
	if len(args.Path) == 0 {
		return nil, errors.New("AnyElementMatches: path must name at least one key")
	}
	re, err := regexp.Compile(args.Pattern)
	if err != nil {
		return nil, fmt.Errorf("AnyElementMatches: pattern: %w", err)
	}
	path := args.Path
	return func(ctx context.Context, tCtx *ottllog.TransformContext) (any, error) {
		src, err := args.Source.Get(ctx, tCtx)
		if err != nil {
			return nil, err
		}
		switch s := src.(type) {
		case nil:
			return false, nil
		case pcommon.Slice:
			for _, elem := range s.All() {
				if elem.Type() == pcommon.ValueTypeMap && fieldMatches(elem.Map(), path, re) {
					return true, nil
				}
			}
			return false, nil
		case pcommon.Map:
			return fieldMatches(s, path, re), nil
		default:
			return nil, fmt.Errorf("AnyElementMatches: source is a %T, not a list or a map", src)
		}
	}, nil
}

// fieldMatches reports whether m holds, at path, a non-null value whose text matches re.
func fieldMatches(m pcommon.Map, path []string, re *regexp.Regexp) bool {
	for _, k := range path[:len(path)-1] {
		v, ok := m.Get(k)
		if !ok || v.Type() != pcommon.ValueTypeMap {
			return false
		}
		m = v.Map()
	}
	v, ok := m.Get(path[len(path)-1])
	switch {
	case !ok || v.Type() == pcommon.ValueTypeEmpty:
		return false
	case v.Type() == pcommon.ValueTypeStr:
		return re.MatchString(v.Str())
	default:
		return re.MatchString(v.AsString())
	}
}
