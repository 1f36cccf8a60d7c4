package resource

import (
	"fmt"
	"strconv"
	"strings"
)

// MarkdownTable renders the table as the Markdown table of the README, so that the README's
// list of types is the table's (a test compares them).
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| `okta.resource.type` | listed from | `okta.resource.id` | default | OAuth scope | incremental query | refetched on System Log events | audited fields (`okta.change.values`) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for i := range table {
		s := &table[i]
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | `%s` | %s | %s | %s |\n",
			s.Type, sources(s), idText(s), enabledText(s), s.Scope, incrementalText(s), eventsText(s), auditedText(s))
	}
	return b.String()
}

// sources describes where a full sync lists the type.
func sources(s *Spec) string {
	var parts []string
	for _, l := range s.Lists {
		parts = append(parts, "`"+listText(l, s.Parent)+"`")
	}
	out := strings.Join(parts, " and ")
	if s.Kinds != nil {
		out = strings.TrimSuffix(out, "`") + "?" + s.Kinds.Param + "={" + s.Kinds.Param + "}` for each " + s.Kinds.Param +
			" (Classic: " + strings.Join(s.Kinds.Classic, ", ") + "; Identity Engine adds " + strings.Join(s.Kinds.IdentityEngine, ", ") + ")"
	}
	if s.Parent != "" {
		out += " for every " + string(s.Parent)
		if s.SkipParents != "" {
			out += " not " + s.SkipParents
		}
	}
	if s.Type == GroupMembership {
		out += " (one request per group)"
	}
	for _, p := range s.Principals {
		if out != "" {
			out += "; "
		}
		out += "`" + listText(p.List, p.Type) + "` for each " + string(p.Type)
		switch {
		case p.Holders != nil:
			out += " of `" + listText(*p.Holders, "") + "`"
		case p.Flag != "":
			out += " with `" + string(p.Flag) + "`"
		}
		if p.Skip != nil {
			out += " (without `" + string(p.Skip.Field) + "` " + p.Skip.Value + ")"
		}
	}
	return out
}

// listText is a listing's request as a reader writes it: placeholders named, values unescaped.
func listText(l List, parent Type) string {
	path := l.Path
	if parent != "" {
		path = strings.ReplaceAll(path, "{parent}", "{"+string(parent)+"Id}")
	}
	var q []string
	if l.PageSize > 0 {
		q = append(q, "limit="+strconv.Itoa(l.PageSize))
	}
	for _, p := range l.Query {
		q = append(q, p.Name+"="+p.Value)
	}
	if len(q) > 0 {
		path += "?" + strings.Join(q, "&")
	}
	return path
}

func idText(s *Spec) string {
	switch s.ID {
	case Composite:
		parent := string(s.Parent)
		if len(s.Principals) > 0 {
			parent = "principal"
		}
		return "`<" + parent + "Id>/<id>`"
	case OrgID:
		return "the org id"
	case OwnOrOrgID:
		return "its id (the org id when absent)"
	}
	return "its id"
}

func enabledText(s *Spec) string {
	if s.DefaultDisabled {
		return "off"
	}
	return "on"
}

func incrementalText(s *Spec) string {
	if s.Incremental == nil {
		return "—"
	}
	var q []string
	for _, p := range s.Incremental.Query {
		q = append(q, "`"+p.Name+"="+strings.ReplaceAll(p.Value, `"{since}"`, "…")+"`")
	}
	return strings.Join(q, " ")
}

func eventsText(s *Spec) string {
	if len(s.Events) == 0 {
		return "—"
	}
	var out []string
	for _, r := range s.Events {
		out = append(out, "`"+r.Prefix+"*`")
	}
	return strings.Join(out, ", ")
}

// auditedText lists the type's audited field paths ("—" when it keeps none).
func auditedText(s *Spec) string {
	if len(s.Audited) == 0 {
		return "—"
	}
	return "`" + strings.Join(s.Audited, "`, `") + "`"
}
