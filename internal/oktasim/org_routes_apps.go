package oktasim

import (
	"net/http"
	"strings"
)

// orgAppFilterRules is what /api/v1/apps?filter= accepts. user.id and
// group.id select the apps assigned to that user or group; they must be
// the whole expression.
var orgAppFilterRules = orgQueryRules{attrs: map[string]string{
	"status": "eq", "name": "eq", "id": "eq", "credentials.signing.kid": "eq", "settings.slo.enabled": "eq",
	"user.id": "eq", "group.id": "eq",
}}

func orgUsesAttr(n *orgExprNode, attr string) bool {
	if n == nil {
		return false
	}
	if n.op != "" {
		return orgUsesAttr(n.left, attr) || orgUsesAttr(n.right, attr)
	}
	return n.attr == attr
}

// handleListApps serves GET /api/v1/apps: q (name/label prefix), filter,
// default 20 (the SPEC says -1, older docs 20), max 200.
func (s *Server) handleListApps(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	var expr *orgExprNode
	if f := qv.Get("filter"); f != "" {
		var err error
		if expr, err = orgParseChecked("filter", f, orgAppFilterRules); err != nil {
			orgWriteQueryError(w, err)
			return
		}
		for _, rel := range []string{"user.id", "group.id"} {
			if orgUsesAttr(expr, rel) && expr.op != "" {
				orgWriteQueryError(w, orgCriteriaErr("filter", "%s eq \"…\" cannot be combined with other conditions", rel))
				return
			}
		}
	}
	q := strings.ToLower(qv.Get("q"))
	limit, ok := orgParseLimit(w, r, orgPageSpec{def: 20, max: 200})
	if !ok {
		return
	}
	after, ok := orgParseAfter(w, r)
	if !ok {
		return
	}
	o := s.org
	o.mu.RLock()
	var pred func(*orgObj) bool
	switch {
	case expr != nil && expr.attr == "user.id":
		assigned := map[string]bool{}
		for _, au := range o.cols[typeApplicationUser].byRef[expr.value] {
			assigned[au.parent] = true
		}
		pred = func(a *orgObj) bool { return assigned[a.id] }
	case expr != nil && expr.attr == "group.id":
		assigned := map[string]bool{}
		for _, ag := range o.cols[typeApplicationGroup].byRef[expr.value] {
			assigned[ag.parent] = true
		}
		pred = func(a *orgObj) bool { return assigned[a.id] }
	default:
		pred = func(a *orgObj) bool {
			if q != "" && !orgQMatch(a, q) {
				return false
			}
			return expr == nil || expr.eval(o.objectGetter(typeApplication, a))
		}
	}
	page, more := orgCollect(o.cols[typeApplication].items, after, limit, pred)
	p := orgPage{body: orgRenderPage(page, func(b []byte, a *orgObj) []byte { return append(b, a.raw...) }), limit: limit}
	if more {
		p.next = orgCursorFor(page[len(page)-1].seq)
	}
	o.mu.RUnlock()
	orgWritePage(w, r, p)
}

// handleAppUsers serves GET /api/v1/apps/{id}/users (default 50, max 500,
// q on the user's names and email).
func (s *Server) handleAppUsers(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	app := o.cols[typeApplication].byID[id]
	o.mu.RUnlock()
	if app == nil {
		orgNotFound(w, id, "AppInstance")
		return
	}
	q := r.URL.Query().Get("q")
	var pred func(*orgObj) bool
	if q != "" {
		pred = func(au *orgObj) bool {
			u := o.cols[typeUser].byID[au.ref]
			return u != nil && orgQMatch(u, q)
		}
	}
	s.orgChildListWhere(w, r, orgPageSpec{def: 50, max: 500}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
		return o.cols[typeApplicationUser].byParent[id], func(b []byte, au *orgObj) []byte {
			return o.render(b, typeApplicationUser, au)
		}
	}, pred)
}

// handleAppGroups serves GET /api/v1/apps/{id}/groups (default 20, max 200).
func (s *Server) handleAppGroups(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	app := o.cols[typeApplication].byID[id]
	o.mu.RUnlock()
	if app == nil {
		orgNotFound(w, id, "AppInstance")
		return
	}
	s.orgChildList(w, r, orgPageSpec{def: 20, max: 200}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
		return o.cols[typeApplicationGroup].byParent[id], func(b []byte, ag *orgObj) []byte {
			return o.render(b, typeApplicationGroup, ag)
		}
	})
}
