package systemlog

import (
	"fmt"
	"strings"
)

// validateSystemLogFilter checks system_log.filter against the SCIM filter dialect the System
// Log API accepts, so that a filter Okta would refuse (400 E0000053 or E0000031 on every
// poll) fails at start-up instead. It checks what can be checked without Okta: the syntax
// (attribute paths, operators, quoted values, and/or/not, parentheses), and three documented
// refusals: filters on `published` (the query's own time bounds), complex attribute filters
// `[ ]`, and `co` on debugContext.debugData.url / requestUri. Attribute names are not checked
// against a list: LogEvent objects carry open-ended fields.
//
// A maintained SCIM filter parser exists (github.com/scim2/filter-parser), but it implements
// the RFC 7644 grammar, whose attribute paths have at most one sub-attribute, and so refuses
// the deeper paths Okta documents and accepts (debugContext.debugData.requestUri,
// transaction.detail.requestApiTokenId). This checker accepts any depth.
func validateSystemLogFilter(filter string) error {
	if strings.TrimSpace(filter) == "" {
		return nil
	}
	p := &filterParser{src: filter}
	if err := p.expression(0); err != nil {
		return err
	}
	if tok := p.next(); tok.kind != tokEnd {
		return p.errorf(tok, "unexpected %s (expected \"and\", \"or\" or the end)", tok)
	}
	return nil
}

type filterTokenKind int

const (
	tokEnd filterTokenKind = iota
	tokWord
	tokString
	tokNumber
	tokOpen
	tokClose
	tokBracket
	tokBad // an unterminated string
)

type filterToken struct {
	kind filterTokenKind
	text string
	pos  int // byte offset in the filter, 1-based in messages
}

func (t filterToken) String() string {
	switch t.kind {
	case tokEnd:
		return "end of filter"
	case tokString:
		return "string " + t.text
	case tokBad:
		return "unterminated string " + t.text
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// scimOperators are the comparison operators of the System Log filter (case-insensitive).
var scimOperators = map[string]bool{
	"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true,
}

// filterMaxDepth bounds nested parentheses (a filter is one line of configuration).
const filterMaxDepth = 32

type filterParser struct {
	src    string
	pos    int
	peeked *filterToken
}

func (p *filterParser) errorf(tok filterToken, format string, args ...any) error {
	return fmt.Errorf("system_log.filter: %s at character %d of the filter", fmt.Sprintf(format, args...), tok.pos+1)
}

// expression := term (("and" | "or") term)*
func (p *filterParser) expression(depth int) error {
	if depth > filterMaxDepth {
		return p.errorf(p.peek(), "more than %d nested parentheses", filterMaxDepth)
	}
	for {
		if err := p.term(depth); err != nil {
			return err
		}
		tok := p.peek()
		if tok.kind != tokWord || (!strings.EqualFold(tok.text, "and") && !strings.EqualFold(tok.text, "or")) {
			return nil
		}
		p.next()
	}
}

// term := "not"? "(" expression ")" | attrPath "pr" | attrPath op value
func (p *filterParser) term(depth int) error {
	tok := p.next()
	if tok.kind == tokWord && strings.EqualFold(tok.text, "not") && p.peek().kind == tokOpen {
		tok = p.next()
	}
	switch tok.kind {
	case tokOpen:
		if err := p.expression(depth + 1); err != nil {
			return err
		}
		if closing := p.next(); closing.kind != tokClose {
			return p.errorf(closing, "unexpected %s (expected \")\")", closing)
		}
		return nil
	case tokBracket:
		return p.errorf(tok, "complex attribute filters with [ ] are not supported by the System Log API")
	case tokWord:
	default:
		return p.errorf(tok, "unexpected %s (expected an attribute name such as eventType)", tok)
	}
	attr := tok
	if err := checkAttrPath(attr.text); err != nil {
		return p.errorf(attr, "%v", err)
	}
	if attr.text == "published" || strings.HasPrefix(attr.text, "published.") {
		return p.errorf(attr, "the System Log API does not accept filters on published (the poller sets the time window itself)")
	}
	op := p.next()
	if op.kind == tokBracket {
		return p.errorf(op, "complex attribute filters with [ ] are not supported by the System Log API")
	}
	if op.kind != tokWord {
		return p.errorf(op, "unexpected %s after %s (expected an operator: eq, ne, co, sw, ew, gt, ge, lt, le or pr)", op, attr.text)
	}
	opName := strings.ToLower(op.text)
	if opName == "pr" {
		return nil
	}
	if !scimOperators[opName] {
		return p.errorf(op, "unknown operator %q (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr)", op.text)
	}
	if opName == "co" && (attr.text == "debugContext.debugData.url" || attr.text == "debugContext.debugData.requestUri") {
		return p.errorf(op, "the System Log API refuses co on %s (E0000031); use sw or eq", attr.text)
	}
	val := p.next()
	switch {
	case val.kind == tokString, val.kind == tokNumber:
		return nil
	case val.kind == tokWord && (val.text == "true" || val.text == "false" || val.text == "null"):
		return nil
	case val.kind == tokWord:
		return p.errorf(val, "the value %s must be a double-quoted string, a number, true, false or null", val)
	default:
		return p.errorf(val, "unexpected %s after %s %s (expected a value)", val, attr.text, op.text)
	}
}

// checkAttrPath accepts dot-separated names of letters, digits, '_' and '$', each starting with
// a letter or '_'.
func checkAttrPath(path string) error {
	for part := range strings.SplitSeq(path, ".") {
		if part == "" {
			return fmt.Errorf("attribute %q has an empty name between dots", path)
		}
		for i, r := range part {
			letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
			if !letter && (i == 0 || !(r == '$' || (r >= '0' && r <= '9'))) {
				return fmt.Errorf("attribute %q: character %q is not allowed in an attribute name", path, r)
			}
		}
	}
	return nil
}

func (p *filterParser) peek() filterToken {
	if p.peeked == nil {
		tok := p.scan()
		p.peeked = &tok
	}
	return *p.peeked
}

func (p *filterParser) next() filterToken {
	tok := p.peek()
	p.peeked = nil
	return tok
}

// scan reads one token; an unterminated string is a tokBad the parser reports.
func (p *filterParser) scan() filterToken {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		return filterToken{kind: tokEnd, pos: start}
	}
	switch c := p.src[p.pos]; {
	case c == '(':
		p.pos++
		return filterToken{kind: tokOpen, text: "(", pos: start}
	case c == ')':
		p.pos++
		return filterToken{kind: tokClose, text: ")", pos: start}
	case c == '[' || c == ']':
		p.pos++
		return filterToken{kind: tokBracket, text: string(c), pos: start}
	case c == '"':
		for i := p.pos + 1; i < len(p.src); i++ {
			switch p.src[i] {
			case '\\':
				i++
			case '"':
				p.pos = i + 1
				return filterToken{kind: tokString, text: p.src[start:p.pos], pos: start}
			}
		}
		p.pos = len(p.src)
		return filterToken{kind: tokBad, text: p.src[start:], pos: start}
	case c == '-' || (c >= '0' && c <= '9'):
		p.pos++
		for p.pos < len(p.src) && strings.IndexByte("0123456789.eE+-", p.src[p.pos]) >= 0 {
			p.pos++
		}
		return filterToken{kind: tokNumber, text: p.src[start:p.pos], pos: start}
	default:
		for p.pos < len(p.src) && strings.IndexByte(" \t()[]\"", p.src[p.pos]) < 0 {
			p.pos++
		}
		return filterToken{kind: tokWord, text: p.src[start:p.pos], pos: start}
	}
}
