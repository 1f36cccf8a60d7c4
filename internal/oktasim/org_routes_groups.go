package oktasim

import (
	"encoding/json"
	"net/http"
	"strings"
)

var (
	orgGroupFilterRules = orgQueryRules{attrs: map[string]string{
		"id": "eq", "type": "eq", "lastUpdated": "eq gt ge lt le", "lastMembershipUpdated": "eq gt ge lt le",
	}}
	orgGroupSearchRules = orgQueryRules{
		attrs: map[string]string{
			"id": "eq sw", "type": "eq", "source.id": "eq", "created": "eq gt ge lt le",
			"lastUpdated": "eq gt ge lt le", "lastMembershipUpdated": "eq gt ge lt le",
		},
		prefixes: map[string]string{"profile.": "eq sw co"},
	}
)

// handleListGroups serves GET /api/v1/groups: filter, search, q (name
// prefix, default 300, unpaged) and expand=stats.
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	var expr *orgExprNode
	var err error
	switch {
	case qv.Get("search") != "":
		expr, err = orgParseChecked("search", qv.Get("search"), orgGroupSearchRules)
	case qv.Get("filter") != "":
		expr, err = orgParseChecked("filter", qv.Get("filter"), orgGroupFilterRules)
	}
	if err != nil {
		orgWriteQueryError(w, err)
		return
	}
	q := qv.Get("q")
	spec := orgPageSpec{def: 10000, max: 10000}
	if q != "" {
		spec.def = 300
	}
	limit, ok := orgParseLimit(w, r, spec)
	if !ok {
		return
	}
	after, ok := orgParseAfter(w, r)
	if !ok {
		return
	}
	stats := strings.Contains(qv.Get("expand"), "stats")
	o := s.org
	o.mu.RLock()
	pred := func(g *orgObj) bool {
		if q != "" && !orgQMatch(g, q) {
			return false
		}
		return expr == nil || expr.eval(o.objectGetter(typeGroup, g))
	}
	page, more := orgCollect(o.cols[typeGroup].items, after, limit, pred)
	render := func(b []byte, g *orgObj) []byte {
		if stats {
			return o.renderGroupWithStats(b, g)
		}
		return append(b, g.raw...)
	}
	p := orgPage{body: orgRenderPage(page, render), limit: limit}
	if more && q == "" {
		p.next = orgCursorFor(page[len(page)-1].seq)
	}
	o.mu.RUnlock()
	orgWritePage(w, r, p)
}

// groupStats is a group's _embedded.stats (expand=stats).
type groupStats struct {
	UsersCount             int            `json:"usersCount"`
	AppsCount              int            `json:"appsCount"`
	GroupPushMappingsCount int            `json:"groupPushMappingsCount"`
	HasAdminPrivilege      bool           `json:"hasAdminPrivilege"`
	Links                  map[string]any `json:"_links"`
}

// groupMemberCount is the number of members (callers hold mu).
func (o *orgStore) groupMemberCount(g *orgObj) int {
	if g.kind == "BUILT_IN" {
		return len(o.cols[typeUser].items)
	}
	return len(o.cols[typeGroupMembership].byParent[g.id])
}

func (o *orgStore) renderGroupWithStats(b []byte, g *orgObj) []byte {
	st := groupStats{
		UsersCount:        o.groupMemberCount(g),
		AppsCount:         len(o.cols[typeApplicationGroup].byRef[g.id]),
		HasAdminPrivilege: len(o.cols[typeAdminRole].byParent[g.id]) > 0,
		Links:             map[string]any{"self": orgLink("/api/v1/groups/" + g.id + "/stats")},
	}
	enc, _ := json.Marshal(map[string]any{"stats": st})
	b = append(b, g.raw[:len(g.raw)-1]...)
	b = append(b, `,"_embedded":`...)
	b = append(b, enc...)
	return append(b, '}')
}

// handleGetGroup serves GET /api/v1/groups/{id} (expand=stats honoured).
func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	g := o.cols[typeGroup].byID[id]
	var body []byte
	if g != nil {
		if strings.Contains(r.URL.Query().Get("expand"), "stats") {
			body = o.renderGroupWithStats(nil, g)
		} else {
			body = append([]byte(nil), g.raw...)
		}
	}
	o.mu.RUnlock()
	if g == nil {
		orgNotFound(w, id, "UserGroup")
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}

// handleGroupChildren serves /groups/{id}/users, /apps and /roles.
func (s *Server) handleGroupChildren(w http.ResponseWriter, r *http.Request) {
	id, sub := r.PathValue("id"), r.PathValue("sub")
	o := s.org
	o.mu.RLock()
	g := o.cols[typeGroup].byID[id]
	o.mu.RUnlock()
	if g == nil {
		orgNotFound(w, id, "UserGroup")
		return
	}
	switch sub {
	case "users":
		s.orgChildList(w, r, orgPageSpec{def: 1000, max: 10000}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
			users := o.cols[typeUser]
			if g.kind == "BUILT_IN" {
				return users.items, func(b []byte, u *orgObj) []byte { return append(b, u.raw...) }
			}
			return o.cols[typeGroupMembership].byParent[g.id], func(b []byte, m *orgObj) []byte {
				return o.render(b, typeGroupMembership, m)
			}
		})
	case "apps":
		s.orgChildList(w, r, orgPageSpec{def: 20, max: 200}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
			apps := o.cols[typeApplication]
			return o.cols[typeApplicationGroup].byRef[g.id], func(b []byte, ag *orgObj) []byte {
				if a := apps.byID[ag.parent]; a != nil {
					return append(b, a.raw...)
				}
				return append(b, "null"...)
			}
		})
	case "roles":
		s.orgUnpaged(w, r, typeAdminRole, g.id)
	default:
		writeOktaError(w, http.StatusNotFound, "E0000008", "The requested path was not found")
	}
}

// orgChildList pages through a child list chosen under the read lock.
func (s *Server) orgChildList(w http.ResponseWriter, r *http.Request, spec orgPageSpec,
	choose func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte)) {
	s.orgChildListWhere(w, r, spec, choose, nil)
}

func (s *Server) orgChildListWhere(w http.ResponseWriter, r *http.Request, spec orgPageSpec,
	choose func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte), pred func(*orgObj) bool) {
	limit, ok := orgParseLimit(w, r, spec)
	if !ok {
		return
	}
	after, ok := orgParseAfter(w, r)
	if !ok {
		return
	}
	o := s.org
	o.mu.RLock()
	list, render := choose(o)
	page, more := orgCollect(list, after, limit, pred)
	p := orgPage{body: orgRenderPage(page, render), limit: limit}
	if more {
		p.next = orgCursorFor(page[len(page)-1].seq)
	}
	o.mu.RUnlock()
	orgWritePage(w, r, p)
}

// handleListGroupRules serves GET /api/v1/groups/rules (search is a
// keyword on the rule name; expand=groupIdToGroupNameMap).
func (s *Server) handleListGroupRules(w http.ResponseWriter, r *http.Request) {
	search := strings.ToLower(r.URL.Query().Get("search"))
	expand := r.URL.Query().Get("expand") == "groupIdToGroupNameMap"
	s.orgChildListWhere(w, r, orgPageSpec{def: 50, max: 200}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
		return o.cols[typeGroupRule].items, func(b []byte, rule *orgObj) []byte {
			if expand {
				return append(b, o.groupRuleExpanded(rule)...)
			}
			return append(b, rule.raw...)
		}
	}, func(rule *orgObj) bool { return search == "" || strings.Contains(rule.terms, search) })
}

// groupRuleExpanded adds _embedded.groupIdToGroupNameMap (callers hold mu).
func (o *orgStore) groupRuleExpanded(rule *orgObj) []byte {
	m := o.decodeObject(typeGroupRule, rule)
	names := map[string]any{}
	if actions, ok := m["actions"].(map[string]any); ok {
		if a, ok := actions["assignUserToGroups"].(map[string]any); ok {
			if ids, ok := a["groupIds"].([]any); ok {
				for _, id := range ids {
					if s, ok := id.(string); ok {
						if g := o.cols[typeGroup].byID[s]; g != nil {
							names[s] = g.name
						}
					}
				}
			}
		}
	}
	m["_embedded"] = map[string]any{"groupIdToGroupNameMap": names}
	return orgMustJSON(m)
}

// handleGetGroupRule serves GET /api/v1/groups/rules/{rid}.
func (s *Server) handleGetGroupRule(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("rid")
	o := s.org
	o.mu.RLock()
	rule := o.cols[typeGroupRule].byID[rid]
	var body []byte
	if rule != nil {
		if r.URL.Query().Get("expand") == "groupIdToGroupNameMap" {
			body = o.groupRuleExpanded(rule)
		} else {
			body = append([]byte(nil), rule.raw...)
		}
	}
	o.mu.RUnlock()
	if rule == nil {
		orgNotFound(w, rid, "GroupRule")
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}
