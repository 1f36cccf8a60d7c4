package oktasim

import (
	"fmt"
	"strings"
	"unicode"
)

// This file is the SCIM-like expression language of Okta's `filter` and
// `search` parameters: `attr op "value"` joined by and/or, parentheses, and
// `attr pr`. Which attributes and operators an endpoint accepts is decided
// by a orgQueryRules value; anything else is a 400 naming the problem.

type orgExprNode struct {
	op          string // "and", "or", or "" for a comparison
	left, right *orgExprNode
	attr, cmp   string
	value       string
	quoted      bool
}

type orgQueryError struct {
	code    string // E0000053 syntax, E0000031 unsupported attribute/operator
	summary string
	cause   string
}

func (e *orgQueryError) Error() string { return e.cause }

func orgSyntaxErr(param, format string, a ...any) *orgQueryError {
	return &orgQueryError{code: "E0000053", summary: "Invalid SCIM filter.", cause: param + ": " + fmt.Sprintf(format, a...)}
}

func orgCriteriaErr(param, format string, a ...any) *orgQueryError {
	return &orgQueryError{code: "E0000031", summary: "Invalid search criteria.", cause: param + ": " + fmt.Sprintf(format, a...)}
}

type orgToken struct {
	text   string
	quoted bool
}

func orgTokenize(param, s string) ([]orgToken, error) {
	var toks []orgToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '+':
			i++
		case c == '(' || c == ')':
			toks = append(toks, orgToken{text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, orgSyntaxErr(param, "unterminated string starting at position %d", i)
			}
			toks = append(toks, orgToken{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()\"", rune(s[j])) {
				j++
			}
			toks = append(toks, orgToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

var orgComparisonOps = map[string]bool{"eq": true, "ne": true, "sw": true, "co": true, "ew": true, "gt": true, "ge": true, "lt": true, "le": true, "pr": true}

type orgExprParser struct {
	param string
	toks  []orgToken
	pos   int
}

func (p *orgExprParser) peek() (orgToken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return orgToken{}, false
}

func (p *orgExprParser) isWord(w string) bool {
	t, ok := p.peek()
	return ok && !t.quoted && strings.EqualFold(t.text, w)
}

func (p *orgExprParser) parseOr() (*orgExprNode, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.pos++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &orgExprNode{op: "or", left: left, right: right}
	}
	return left, nil
}

func (p *orgExprParser) parseAnd() (*orgExprNode, error) {
	left, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.pos++
		right, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		left = &orgExprNode{op: "and", left: left, right: right}
	}
	return left, nil
}

func (p *orgExprParser) parseFactor() (*orgExprNode, error) {
	t, ok := p.peek()
	if !ok {
		return nil, orgSyntaxErr(p.param, "expression ends where a condition was expected")
	}
	if t.text == "(" && !t.quoted {
		p.pos++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); !ok || t.text != ")" {
			return nil, orgSyntaxErr(p.param, "missing closing parenthesis")
		}
		p.pos++
		return n, nil
	}
	if t.quoted {
		return nil, orgSyntaxErr(p.param, "expected an attribute name, found the string %q", t.text)
	}
	p.pos++
	opTok, ok := p.peek()
	if !ok || opTok.quoted || !orgComparisonOps[strings.ToLower(opTok.text)] {
		return nil, orgSyntaxErr(p.param, "expected an operator (eq, sw, co, gt, ge, lt, le, pr) after %q", t.text)
	}
	p.pos++
	n := &orgExprNode{attr: t.text, cmp: strings.ToLower(opTok.text)}
	if n.cmp == "pr" {
		return n, nil
	}
	v, ok := p.peek()
	if !ok || (!v.quoted && (v.text == "(" || v.text == ")")) {
		return nil, orgSyntaxErr(p.param, "operator %q on %q needs a value", n.cmp, n.attr)
	}
	p.pos++
	n.value, n.quoted = v.text, v.quoted
	return n, nil
}

// orgParseExpr parses a filter or search expression.
func orgParseExpr(param, s string) (*orgExprNode, error) {
	if strings.TrimSpace(s) == "" {
		return nil, orgSyntaxErr(param, "empty expression")
	}
	toks, err := orgTokenize(param, s)
	if err != nil {
		return nil, err
	}
	p := &orgExprParser{param: param, toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); ok {
		return nil, orgSyntaxErr(p.param, "unexpected %q after a complete expression", t.text)
	}
	return n, nil
}

// orgQueryRules says which attributes and operators an endpoint accepts.
type orgQueryRules struct {
	// attrs maps an attribute to its allowed operators.
	attrs map[string]string
	// prefixes maps an attribute prefix ("profile.") to allowed operators.
	prefixes map[string]string
	// perAttr overrides for attributes within a prefix (co only on some).
	perAttr map[string]string
}

func (r orgQueryRules) check(param string, n *orgExprNode) error {
	if n.op != "" {
		if err := r.check(param, n.left); err != nil {
			return err
		}
		return r.check(param, n.right)
	}
	ops, ok := r.perAttr[n.attr]
	if !ok {
		ops, ok = r.attrs[n.attr]
	}
	if !ok {
		for p, o := range r.prefixes {
			if strings.HasPrefix(n.attr, p) {
				ops, ok = o, true
			}
		}
	}
	if !ok {
		return orgCriteriaErr(param, "attribute %q is not supported", n.attr)
	}
	if !strings.Contains(" "+ops+" ", " "+n.cmp+" ") {
		return orgCriteriaErr(param, "operator %q is not supported on %q (supported: %s)", n.cmp, n.attr, ops)
	}
	if orgDateAttrs[orgLastSegment(n.attr)] && n.cmp != "pr" {
		ms, err := orgParseOktaTime(n.value)
		if err != nil {
			return orgCriteriaErr(param, "value of %q: %v", n.attr, err)
		}
		// Normalized to Okta's fixed-width layout, dates compare as strings.
		n.value = orgMsTime(ms)
	}
	return nil
}

func orgLastSegment(attr string) string {
	if i := strings.LastIndexByte(attr, '.'); i >= 0 {
		return attr[i+1:]
	}
	return attr
}

var orgDateAttrs = map[string]bool{
	"created": true, "lastUpdated": true, "activated": true, "statusChanged": true, "lastLogin": true,
	"passwordChanged": true, "lastMembershipUpdated": true,
}

// orgGetter resolves an attribute of one object: the value as text, and
// whether it is present (non-null).
type orgGetter func(attr string) (string, bool)

func (n *orgExprNode) eval(get orgGetter) bool {
	switch n.op {
	case "and":
		return n.left.eval(get) && n.right.eval(get)
	case "or":
		return n.left.eval(get) || n.right.eval(get)
	}
	v, present := get(n.attr)
	if n.cmp == "pr" {
		return present
	}
	if !present {
		return false
	}
	if orgDateAttrs[orgLastSegment(n.attr)] {
		if len(v) == len(oktaTimeLayout) && len(n.value) == len(oktaTimeLayout) && v[len(v)-1] == 'Z' {
			return orgCompareStrings(v, n.value, n.cmp)
		}
		a, err1 := orgParseOktaTime(v)
		b, err2 := orgParseOktaTime(n.value)
		if err1 != nil || err2 != nil {
			return false
		}
		return orgCompareInts(a, b, n.cmp)
	}
	lv, lw := strings.ToLower(v), strings.ToLower(n.value)
	switch n.cmp {
	case "eq":
		return lv == lw
	case "ne":
		return lv != lw
	case "sw":
		return strings.HasPrefix(lv, lw)
	case "ew":
		return strings.HasSuffix(lv, lw)
	case "co":
		return strings.Contains(lv, lw)
	case "gt":
		return lv > lw
	case "ge":
		return lv >= lw
	case "lt":
		return lv < lw
	case "le":
		return lv <= lw
	}
	return false
}

func orgCompareStrings(a, b, cmp string) bool {
	switch cmp {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "gt":
		return a > b
	case "ge":
		return a >= b
	case "lt":
		return a < b
	case "le":
		return a <= b
	}
	return false
}

func orgCompareInts(a, b int64, cmp string) bool {
	switch cmp {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "gt":
		return a > b
	case "ge":
		return a >= b
	case "lt":
		return a < b
	case "le":
		return a <= b
	}
	return false
}

// objectGetter resolves attributes from hot fields where possible and
// decodes the object's JSON (once) for anything else.
func (o *orgStore) objectGetter(typ string, obj *orgObj) orgGetter {
	var decoded map[string]any
	return func(attr string) (string, bool) {
		switch attr {
		case "id":
			return obj.key(), true
		case "status":
			return obj.status, true
		case "lastUpdated":
			return orgMsTime(obj.lastUpdated), true
		case "created":
			return orgMsTime(obj.created), true
		}
		if typ == typeUser && attr == "profile.login" {
			return obj.name, true
		}
		if decoded == nil {
			decoded = o.decodeObject(typ, obj)
		}
		var cur any = decoded
		for _, part := range strings.Split(attr, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return "", false
			}
			cur, ok = m[part]
			if !ok || cur == nil {
				return "", false
			}
		}
		switch v := cur.(type) {
		case string:
			return v, true
		case map[string]any, []any:
			return "", true
		default:
			return fmt.Sprint(v), true
		}
	}
}

// orgQMatch reports whether any of the object's q terms starts with q.
func orgQMatch(obj *orgObj, q string) bool {
	q = strings.ToLower(strings.TrimSpace(q))
	for _, t := range strings.Split(obj.terms, "\x00") {
		if strings.HasPrefix(t, q) {
			return true
		}
		for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if strings.HasPrefix(w, q) {
				return true
			}
		}
	}
	return false
}
