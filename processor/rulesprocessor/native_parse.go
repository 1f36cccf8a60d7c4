package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
)

// compileNative translates an OTTL condition into a native evaluator when the condition only
// uses the subset that the native evaluator reproduces exactly:
//
//	expr    := term ("or" term)*
//	term    := value ("and" value)*
//	value   := ["not"] ( "(" expr ")" | "true" | "false" | IsMatch(operand, "literal") | operand op operand )
//	operand := log.body["k"]... | log.attributes["k"] | resource.attributes["k"] | log.event_name
//	         | "string" | 123 | 1.5 | true | false | nil
//	op      := == | != | < | <= | > | >=
//
// plus IsMatch(String(path), "pattern") (see nativeStringMatch). Any other boolean value (math,
// other converters, escapes in strings, integer indexes, enums) becomes an ottlLeaf: that value
// alone is parsed by parser and evaluated by OTTL, so "native and OTTL" conditions still skip
// OTTL when the native part decides. When parser is nil or the source does not split cleanly,
// an error is returned and the rule is evaluated by OTTL only. The rule's whole OTTL condition
// is always parsed too: it stays the reference and is used whenever the native evaluator meets a
// value it does not handle (see nativeExpr).
//
// Body paths get a cache slot from in (nil: uncached).
func compileNative(src string, in *pathInterner, parser *ottl.Parser[*ottllog.TransformContext]) (nativeExpr, error) {
	toks, err := lexNative(src)
	if err != nil {
		return nil, err
	}
	p := &nativeParser{src: src, toks: toks, in: in, ottl: parser}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, errors.New("trailing tokens")
	}
	return e, nil
}

// compileNativeOperand translates a value expression (a threshold's group_by) into a native
// operand when it is a plain path.
func compileNativeOperand(src string, in *pathInterner) (*nativeOperand, error) {
	toks, err := lexNative(src)
	if err != nil {
		return nil, err
	}
	p := &nativeParser{toks: toks, in: in}
	o, err := p.operand()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) || o.kind == operandLiteral {
		return nil, errors.New("not a plain path")
	}
	return o, nil
}

type tokKind int

const (
	tokIdent tokKind = iota
	tokString
	tokInt
	tokFloat
	tokPunct
)

type nativeToken struct {
	kind tokKind
	text string
	// start and end are the byte offsets of the token in the source.
	start, end int
	// escaped marks a string literal with escape sequences (kept for OTTL, never used natively).
	escaped bool
}

// lexNative splits a condition into tokens. Characters outside the native subset become
// single-character punctuation that the native parser rejects, so that such a value can still be
// handed to OTTL as a whole (see ottlLeaf).
func lexNative(src string) ([]nativeToken, error) {
	var toks []nativeToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			j := i + 1
			escaped := false
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					escaped = true
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, nativeToken{kind: tokString, text: src[i+1 : j], start: i, end: j + 1, escaped: escaped})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			kind := tokInt
			if j < len(src) && src[j] == '.' {
				k := j + 1
				for k < len(src) && src[k] >= '0' && src[k] <= '9' {
					k++
				}
				if k == j+1 {
					return nil, errors.New("unsupported number")
				}
				kind, j = tokFloat, k
			}
			if j < len(src) && (isIdentByte(src[j]) || src[j] == '.') {
				return nil, errors.New("unsupported number")
			}
			toks = append(toks, nativeToken{kind: kind, text: src[i:j], start: i, end: j})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, nativeToken{kind: tokIdent, text: src[i:j], start: i, end: j})
			i = j
		default:
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "==", "!=", "<=", ">=", "=>":
					toks = append(toks, nativeToken{kind: tokPunct, text: two, start: i, end: i + 2})
					i += 2
					continue
				}
			}
			toks = append(toks, nativeToken{kind: tokPunct, text: string(c), start: i, end: i + 1})
			i++
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentByte(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

type nativeParser struct {
	src  string
	toks []nativeToken
	pos  int
	in   *pathInterner
	ottl *ottl.Parser[*ottllog.TransformContext]
}

var errNativeUnsupported = errors.New("not in the native subset")

func (p *nativeParser) peek() (nativeToken, bool) {
	if p.pos >= len(p.toks) {
		return nativeToken{}, false
	}
	return p.toks[p.pos], true
}

func (p *nativeParser) isIdent(word string) bool {
	t, ok := p.peek()
	return ok && t.kind == tokIdent && t.text == word
}

func (p *nativeParser) isPunct(s string) bool {
	t, ok := p.peek()
	return ok && t.kind == tokPunct && t.text == s
}

func (p *nativeParser) expect(s string) error {
	if !p.isPunct(s) {
		return errNativeUnsupported
	}
	p.pos++
	return nil
}

func (p *nativeParser) expr() (nativeExpr, error) {
	return p.chain("or", p.term, func(terms []nativeExpr) nativeExpr { return &nativeOr{terms: terms} })
}

func (p *nativeParser) term() (nativeExpr, error) {
	return p.chain("and", p.value, func(values []nativeExpr) nativeExpr { return &nativeAnd{values: values} })
}

// chain parses `operand (keyword operand)*`; several operands are joined by join, a single one
// is returned as it is.
func (p *nativeParser) chain(keyword string, operand func() (nativeExpr, error), join func([]nativeExpr) nativeExpr) (nativeExpr, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	operands := []nativeExpr{first}
	for p.isIdent(keyword) {
		p.pos++
		next, err := operand()
		if err != nil {
			return nil, err
		}
		operands = append(operands, next)
	}
	if len(operands) == 1 {
		return first, nil
	}
	return join(operands), nil
}

func (p *nativeParser) value() (nativeExpr, error) {
	negate := false
	if p.isIdent("not") {
		p.pos++
		negate = true
	}
	e, err := p.positiveValue()
	if err != nil {
		return nil, err
	}
	if negate {
		return &nativeNot{x: e}, nil
	}
	return e, nil
}

// positiveValue parses one boolean value natively, or else hands the whole value to OTTL.
func (p *nativeParser) positiveValue() (nativeExpr, error) {
	start := p.pos
	e, err := p.nativeValue()
	if err == nil {
		return e, nil
	}
	if p.ottl == nil {
		return nil, err
	}
	p.pos = start
	return p.ottlLeaf()
}

// ottlLeaf takes the tokens of one boolean value (up to the next "and", "or" or unmatched ")"
// outside brackets) and parses that text as an OTTL condition. In OTTL's grammar a boolean value
// is evaluated on its own, so the leaf gives the same result as inside the whole condition.
func (p *nativeParser) ottlLeaf() (nativeExpr, error) {
	start, depth := p.pos, 0
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if depth == 0 && ((t.kind == tokIdent && (t.text == "and" || t.text == "or")) || (t.kind == tokPunct && t.text == ")")) {
			break
		}
		if t.kind == tokPunct {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth < 0 {
			return nil, errNativeUnsupported
		}
		p.pos++
	}
	if p.pos == start || depth != 0 {
		return nil, errNativeUnsupported
	}
	text := p.src[p.toks[start].start:p.toks[p.pos-1].end]
	cond, err := p.ottl.ParseCondition(text)
	if err != nil {
		return nil, err
	}
	return &ottlLeaf{cond: cond}, nil
}

// nativeValue parses a boolean value of the native subset.
func (p *nativeParser) nativeValue() (nativeExpr, error) {
	if p.isPunct("(") {
		p.pos++
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	if p.isIdent("IsMatch") {
		return p.isMatch()
	}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	t, ok := p.peek()
	if !ok || t.kind != tokPunct {
		// A lone boolean literal is a constant condition.
		if b, isBool := left.lit.(bool); isBool && left.kind == operandLiteral {
			return nativeConst(b), nil
		}
		return nil, errNativeUnsupported
	}
	op, ok := compareOps[t.text]
	if !ok {
		if b, isBool := left.lit.(bool); isBool && left.kind == operandLiteral {
			return nativeConst(b), nil
		}
		return nil, errNativeUnsupported
	}
	p.pos++
	right, err := p.operand()
	if err != nil {
		return nil, err
	}
	return &nativeCompare{left: *left, right: *right, op: op}, nil
}

var compareOps = map[string]nativeOp{"==": opEq, "!=": opNe, "<": opLt, "<=": opLte, ">": opGt, ">=": opGte}

// isMatch parses IsMatch(<path>, "<literal pattern>") and IsMatch(String(<path>), "<literal pattern>").
func (p *nativeParser) isMatch() (nativeExpr, error) {
	p.pos++
	if err := p.expect("("); err != nil {
		return nil, err
	}
	if p.isIdent("String") {
		return p.stringMatch()
	}
	target, err := p.operand()
	if err != nil || target.kind == operandLiteral {
		return nil, errNativeUnsupported
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	t, ok := p.peek()
	if !ok || t.kind != tokString || t.escaped {
		return nil, errNativeUnsupported
	}
	p.pos++
	re, err := regexp.Compile(t.text)
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return &nativeIsMatch{target: *target, re: re}, nil
}

// operand parses a path or a literal.
func (p *nativeParser) operand() (*nativeOperand, error) {
	t, ok := p.peek()
	if !ok {
		return nil, errNativeUnsupported
	}
	p.pos++
	switch t.kind {
	case tokString:
		if t.escaped {
			return nil, errNativeUnsupported
		}
		return &nativeOperand{kind: operandLiteral, lit: t.text}, nil
	case tokInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, errNativeUnsupported
		}
		return &nativeOperand{kind: operandLiteral, lit: n}, nil
	case tokFloat:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errNativeUnsupported
		}
		return &nativeOperand{kind: operandLiteral, lit: f}, nil
	case tokIdent:
	default:
		return nil, errNativeUnsupported
	}
	switch t.text {
	case "nil":
		return &nativeOperand{kind: operandLiteral, lit: nil}, nil
	case "true", "false":
		return &nativeOperand{kind: operandLiteral, lit: t.text == "true"}, nil
	case "log", "resource":
	default:
		return nil, errNativeUnsupported
	}
	if err := p.expect("."); err != nil {
		return nil, err
	}
	field, ok := p.peek()
	if !ok || field.kind != tokIdent {
		return nil, errNativeUnsupported
	}
	p.pos++
	o := &nativeOperand{}
	switch {
	case t.text == "log" && field.text == "body":
		o.kind = operandBody
	case t.text == "log" && field.text == "attributes":
		o.kind = operandAttributes
	case t.text == "log" && field.text == "event_name":
		o.kind = operandEventName
		return o, nil
	case t.text == "resource" && field.text == "attributes":
		o.kind = operandResourceAttributes
	default:
		return nil, errNativeUnsupported
	}
	for p.isPunct("[") {
		p.pos++
		k, ok := p.peek()
		if !ok || k.kind != tokString || k.escaped {
			return nil, errNativeUnsupported
		}
		p.pos++
		if err := p.expect("]"); err != nil {
			return nil, err
		}
		o.keys = append(o.keys, k.text)
	}
	if len(o.keys) == 0 || (o.kind != operandBody && len(o.keys) != 1) {
		return nil, errNativeUnsupported
	}
	if p.isPunct(".") || strings.HasPrefix(field.text, "_") {
		return nil, errNativeUnsupported
	}
	if o.kind == operandBody && p.in != nil {
		for i := range o.keys {
			o.prefixSlots = append(o.prefixSlots, p.in.slot(o.kind, o.keys[:i+1]))
		}
	}
	return o, nil
}

// stringMatch parses the rest of IsMatch(String(<path>), "<pattern>") after "IsMatch(".
func (p *nativeParser) stringMatch() (nativeExpr, error) {
	p.pos++
	if err := p.expect("("); err != nil {
		return nil, err
	}
	target, err := p.operand()
	if err != nil || target.kind == operandLiteral || target.kind == operandEventName {
		return nil, errNativeUnsupported
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	t, ok := p.peek()
	if !ok || t.kind != tokString || t.escaped {
		return nil, errNativeUnsupported
	}
	p.pos++
	re, err := regexp.Compile(t.text)
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return &nativeStringMatch{target: *target, re: re, literal: requiredLiteral(t.text)}, nil
}

// requiredLiteral returns a substring that every match of pattern contains, usable by
// nativeStringMatch to rule out a match on a JSON rendering ("" when there is none). It must hold
// a byte that only appears inside JSON strings (so the occurrence lies within one string) and no
// byte that JSON escapes.
func requiredLiteral(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	var lits []*syntax.Regexp
	switch re.Op {
	case syntax.OpLiteral:
		lits = []*syntax.Regexp{re}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				lits = append(lits, sub)
			}
		}
	}
	best := ""
	for _, l := range lits {
		if l.Flags&syntax.FoldCase != 0 {
			continue
		}
		s := string(l.Rune)
		if jsonSafeLiteral(s) && len(s) > len(best) {
			best = s
		}
	}
	return best
}

// jsonSafeLiteral reports whether s is printable ASCII that JSON never escapes, with at least
// one byte that compact JSON only writes inside strings (not in numbers, true, false, null or
// punctuation).
func jsonSafeLiteral(s string) bool {
	insideOnly := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
		if !strings.ContainsRune(outsideStringBytes, rune(c)) {
			insideOnly = true
		}
	}
	return insideOnly
}

// outsideStringBytes are the bytes compact JSON can write outside string literals.
const outsideStringBytes = "{}[]:,0123456789-+.eEtrufalsn"
