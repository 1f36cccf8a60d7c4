package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
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
// Anything else (math, other converters, escapes in strings, integer indexes, enums) returns an
// error, and the rule is evaluated by OTTL only. The OTTL condition is always parsed too: it
// stays the reference and is used whenever the native evaluator meets a value it does not
// handle (see nativeExpr).
func compileNative(src string) (nativeExpr, error) {
	toks, err := lexNative(src)
	if err != nil {
		return nil, err
	}
	p := &nativeParser{toks: toks}
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
func compileNativeOperand(src string) (*nativeOperand, error) {
	toks, err := lexNative(src)
	if err != nil {
		return nil, err
	}
	p := &nativeParser{toks: toks}
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
}

// lexNative splits a condition into tokens; it rejects every character outside the subset.
func lexNative(src string) ([]nativeToken, error) {
	var toks []nativeToken
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					return nil, errors.New("escape sequences are not handled natively")
				}
				j++
			}
			if j >= len(src) {
				return nil, errors.New("unterminated string")
			}
			toks = append(toks, nativeToken{tokString, src[i+1 : j]})
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
			toks = append(toks, nativeToken{kind, src[i:j]})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, nativeToken{tokIdent, src[i:j]})
			i = j
		default:
			if i+1 < len(src) {
				switch two := src[i : i+2]; two {
				case "==", "!=", "<=", ">=":
					toks = append(toks, nativeToken{tokPunct, two})
					i += 2
					continue
				}
			}
			switch c {
			case '.', '[', ']', '(', ')', ',', '<', '>':
				toks = append(toks, nativeToken{tokPunct, string(c)})
				i++
			default:
				return nil, errors.New("unsupported character")
			}
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentByte(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

type nativeParser struct {
	toks []nativeToken
	pos  int
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
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	terms := []nativeExpr{first}
	for p.isIdent("or") {
		p.pos++
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &nativeOr{terms: terms}, nil
}

func (p *nativeParser) term() (nativeExpr, error) {
	first, err := p.value()
	if err != nil {
		return nil, err
	}
	vals := []nativeExpr{first}
	for p.isIdent("and") {
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	if len(vals) == 1 {
		return first, nil
	}
	return &nativeAnd{values: vals}, nil
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

func (p *nativeParser) positiveValue() (nativeExpr, error) {
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

// isMatch parses IsMatch(<path>, "<literal pattern>").
func (p *nativeParser) isMatch() (nativeExpr, error) {
	p.pos++
	if err := p.expect("("); err != nil {
		return nil, err
	}
	target, err := p.operand()
	if err != nil || target.kind == operandLiteral {
		return nil, errNativeUnsupported
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	t, ok := p.peek()
	if !ok || t.kind != tokString {
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
		if !ok || k.kind != tokString {
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
	return o, nil
}
