package oktaapi

import (
	"encoding/json"
	"strings"
)

// parseLinkRel returns the URI of the first link with relation rel found in the given
// Link header values (RFC 8288), or "" when there is none. It accepts Okta's form (one
// header per relation) as well as several comma-separated links in one value, quoted or
// bare rel parameters, several space-separated relation types, and stray whitespace.
// It is a pure function: it never fails and never panics on malformed input.
func parseLinkRel(values []string, rel string) string {
	for _, v := range values {
		for len(v) > 0 {
			uri, params, rest, ok := nextLink(v)
			v = rest
			if !ok {
				continue
			}
			if linkHasRel(params, rel) {
				return uri
			}
		}
	}
	return ""
}

// nextLink splits the first link-value off s: "<uri>; param=value; ..." up to the next
// comma that is outside the <> and outside quotes. ok is false for a malformed value.
func nextLink(s string) (uri string, params []string, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t,")
	if s == "" {
		return "", nil, "", false
	}
	if s[0] != '<' {
		return "", nil, skipToNextLink(s), false // malformed: skip this link-value
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", nil, "", false
	}
	uri = strings.TrimSpace(s[1:end])
	s = s[end+1:]
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] == ',' {
			return uri, params, skipComma(s), uri != ""
		}
		if s[0] != ';' {
			return "", nil, skipToNextLink(s), false // garbage after the URI: drop this link
		}
		var p string
		p, s = splitParam(s[1:])
		params = append(params, p)
	}
}

// splitParam returns the text up to the next ';' or ',' outside double quotes.
func splitParam(s string) (param, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && inQuote && i+1 < len(s):
			i++
		case (c == ';' || c == ',') && !inQuote:
			return strings.TrimSpace(s[:i]), s[i:]
		}
	}
	return strings.TrimSpace(s), ""
}

// skipToNextLink returns what follows the next comma outside double quotes ("" if none).
// It always consumes at least one byte, so callers' loops terminate.
func skipToNextLink(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case c == '\\' && inQuote:
			i++
		case c == ',' && !inQuote:
			return s[i+1:]
		}
	}
	return ""
}

func skipComma(s string) string {
	s = strings.TrimLeft(s, " \t")
	return strings.TrimPrefix(s, ",")
}

// linkHasRel reports whether params contain rel=... naming rel (case-insensitive).
func linkHasRel(params []string, rel string) bool {
	for _, p := range params {
		name, value, found := strings.Cut(p, "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "rel") {
			continue
		}
		value = strings.Trim(strings.TrimSpace(value), `"`)
		for _, r := range strings.Fields(value) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}

// bodyNext returns _links.next.href of a body-paginated (IAM) answer, or "".
func bodyNext(body []byte) string {
	var b struct {
		Links struct {
			Next struct {
				Href string `json:"href"`
			} `json:"next"`
		} `json:"_links"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Links.Next.Href
}
