package oktasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// logFilter is a parsed System Log `filter` expression (a SCIM subset:
// eq ne sw co ew pr gt ge lt le, and, or, not, parentheses).
type logFilter interface {
	match(v *eventView) bool
}

// errFilterContains marks `co` on a URL attribute, which Okta rejects with
// E0000031 rather than E0000053.
var errFilterContains = errors.New("the co operator is not supported on debugContext.debugData.url or requestUri")

// logEventFields are the top-level LogEvent attributes a filter may name.
var logEventFields = map[string]bool{
	"uuid": true, "eventType": true, "version": true, "severity": true, "displayMessage": true,
	"legacyEventType": true, "actor": true, "client": true, "device": true, "authenticationContext": true,
	"outcome": true, "target": true, "transaction": true, "debugContext": true, "securityContext": true,
	"request": true,
}

type filterAnd struct{ left, right logFilter }
type filterOr struct{ left, right logFilter }
type filterNot struct{ inner logFilter }
type filterCompare struct {
	path  []string
	op    string
	value any // string, float64, bool or nil
}

func (f filterAnd) match(v *eventView) bool { return f.left.match(v) && f.right.match(v) }
func (f filterOr) match(v *eventView) bool  { return f.left.match(v) || f.right.match(v) }
func (f filterNot) match(v *eventView) bool { return !f.inner.match(v) }

func (f filterCompare) match(v *eventView) bool {
	values := v.values(f.path)
	if f.op == "pr" {
		for _, x := range values {
			if x != nil && x != "" {
				return true
			}
		}
		return false
	}
	if f.op == "ne" {
		for _, x := range values {
			if compareValue(x, "eq", f.value) {
				return false
			}
		}
		return true
	}
	for _, x := range values {
		if compareValue(x, f.op, f.value) {
			return true
		}
	}
	return false
}

// compareValue applies op; strings compare case-insensitively (SCIM's
// default for attributes that are not caseExact).
func compareValue(x any, op string, want any) bool {
	switch w := want.(type) {
	case nil:
		return op == "eq" && x == nil
	case bool:
		xb, ok := x.(bool)
		if !ok {
			if s, isStr := x.(string); isStr {
				xb = s == strconv.FormatBool(w)
				return op == "eq" && xb
			}
			return false
		}
		return op == "eq" && xb == w
	case float64:
		xf, ok := x.(float64)
		if !ok {
			return false
		}
		switch op {
		case "eq":
			return xf == w
		case "gt":
			return xf > w
		case "ge":
			return xf >= w
		case "lt":
			return xf < w
		case "le":
			return xf <= w
		}
		return false
	case string:
		var xs string
		switch t := x.(type) {
		case string:
			xs = t
		case float64:
			xs = strconv.FormatFloat(t, 'f', -1, 64)
		case bool:
			xs = strconv.FormatBool(t)
		default:
			return false
		}
		xs, ws := strings.ToLower(xs), strings.ToLower(w)
		switch op {
		case "eq":
			return xs == ws
		case "sw":
			return strings.HasPrefix(xs, ws)
		case "ew":
			return strings.HasSuffix(xs, ws)
		case "co":
			return strings.Contains(xs, ws)
		case "gt":
			return xs > ws
		case "ge":
			return xs >= ws
		case "lt":
			return xs < ws
		case "le":
			return xs <= ws
		}
	}
	return false
}

// eventView decodes a stored event lazily: filters on eventType need no
// decoding at all.
type eventView struct {
	ev      *storedEvent
	decoded map[string]any
	failed  bool
}

func (v *eventView) object() map[string]any {
	if v.decoded == nil && !v.failed {
		buf := v.ev.appendJSON(make([]byte, 0, v.ev.jsonLen()))
		if err := json.Unmarshal(buf, &v.decoded); err != nil {
			v.failed = true
		}
	}
	return v.decoded
}

// values returns every value at path; arrays (target[], ipChain[]) fan out.
func (v *eventView) values(path []string) []any {
	if len(path) == 1 && path[0] == "eventType" && v.ev.eventType != "" {
		return []any{v.ev.eventType}
	}
	current := []any{any(v.object())}
	for _, key := range path {
		var next []any
		for _, c := range current {
			switch t := c.(type) {
			case map[string]any:
				if x, ok := t[key]; ok {
					next = appendFlattened(next, x)
				}
			}
		}
		current = next
	}
	return current
}

func appendFlattened(out []any, x any) []any {
	if arr, ok := x.([]any); ok {
		return append(out, arr...)
	}
	return append(out, x)
}

// parseLogFilter parses a filter expression. Errors name what is wrong;
// errFilterContains is wrapped for `co` on URL attributes.
func parseLogFilter(s string) (logFilter, error) {
	toks, err := tokenizeFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at the end of the filter", p.toks[p.pos].text)
	}
	return f, nil
}

type filterToken struct {
	text   string
	quoted bool
}

func tokenizeFilter(s string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, filterToken{text: string(c)})
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, errors.New("unterminated string literal")
			}
			var str string
			if err := json.Unmarshal([]byte(s[i:j+1]), &str); err != nil {
				return nil, fmt.Errorf("invalid string literal %s", s[i:j+1])
			}
			toks = append(toks, filterToken{text: str, quoted: true})
			i = j + 1
		case c == '[' || c == ']':
			return nil, errors.New("the [ ] operator is not supported")
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()\"[]", rune(s[j])) {
				j++
			}
			toks = append(toks, filterToken{text: s[i:j]})
			i = j
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("empty filter")
	}
	return toks, nil
}

type filterParser struct {
	toks []filterToken
	pos  int
}

func (p *filterParser) peekKeyword(kw string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, kw)
}

func (p *filterParser) parseOr() (logFilter, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peekKeyword("or") {
		p.pos++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = filterOr{left, right}
	}
	return left, nil
}

func (p *filterParser) parseAnd() (logFilter, error) {
	left, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for p.peekKeyword("and") {
		p.pos++
		right, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		left = filterAnd{left, right}
	}
	return left, nil
}

func (p *filterParser) parseFactor() (logFilter, error) {
	if p.pos >= len(p.toks) {
		return nil, errors.New("unexpected end of filter")
	}
	if p.peekKeyword("not") {
		p.pos++
		inner, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		return filterNot{inner}, nil
	}
	if t := p.toks[p.pos]; !t.quoted && t.text == "(" {
		p.pos++
		inner, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].text != ")" {
			return nil, errors.New("missing )")
		}
		p.pos++
		return inner, nil
	}
	return p.parseComparison()
}

func (p *filterParser) parseComparison() (logFilter, error) {
	attr := p.toks[p.pos]
	if attr.quoted || attr.text == ")" {
		return nil, fmt.Errorf("expected an attribute name, got %q", attr.text)
	}
	path := strings.Split(attr.text, ".")
	if attr.text == "published" {
		return nil, errors.New("published cannot be used in a filter; use since and until")
	}
	if !logEventFields[path[0]] {
		return nil, fmt.Errorf("unknown attribute %q", attr.text)
	}
	p.pos++
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("missing operator after %q", attr.text)
	}
	op := strings.ToLower(p.toks[p.pos].text)
	p.pos++
	switch op {
	case "pr":
		return filterCompare{path: path, op: op}, nil
	case "eq", "ne", "sw", "co", "ew", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("unknown operator %q after %q", op, attr.text)
	}
	if op == "co" && (attr.text == "debugContext.debugData.url" || attr.text == "debugContext.debugData.requestUri") {
		return nil, errFilterContains
	}
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("missing value after %s %s", attr.text, op)
	}
	vt := p.toks[p.pos]
	p.pos++
	var value any
	switch {
	case vt.quoted:
		value = vt.text
	case vt.text == "true" || vt.text == "false":
		value = vt.text == "true"
	case vt.text == "null":
		value = nil
	default:
		f, err := strconv.ParseFloat(vt.text, 64)
		if err != nil {
			return nil, fmt.Errorf("value %q after %s %s must be a quoted string, a number, true, false or null", vt.text, attr.text, op)
		}
		value = f
	}
	if op != "eq" && op != "ne" {
		if _, isString := value.(string); !isString && (op == "sw" || op == "co" || op == "ew") {
			return nil, fmt.Errorf("operator %s needs a string value", op)
		}
	}
	return filterCompare{path: path, op: op, value: value}, nil
}

// keywordMatch reports whether every keyword (already lower case) occurs in
// the event as a whole string value or as one of its words (split on spaces
// and hyphens), case-insensitively.
func keywordMatch(v *eventView, keywords []string) bool {
	if len(keywords) == 0 {
		return true
	}
	found := make([]bool, len(keywords))
	var walk func(x any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for _, y := range t {
				walk(y)
			}
		case []any:
			for _, y := range t {
				walk(y)
			}
		case string:
			s := strings.ToLower(t)
			for i, kw := range keywords {
				if found[i] {
					continue
				}
				if s == kw || containsWord(s, kw) {
					found[i] = true
				}
			}
		}
	}
	walk(v.object())
	for _, f := range found {
		if !f {
			return false
		}
	}
	return true
}

func containsWord(s, kw string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }) {
		if w == kw {
			return true
		}
	}
	return false
}
