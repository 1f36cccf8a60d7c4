package oktasim

import (
	"net/http"
	"strconv"
)

var (
	// orgUserFilterRules is what /api/v1/users?filter= accepts (eq only,
	// except lastUpdated ranges).
	orgUserFilterRules = orgQueryRules{attrs: map[string]string{
		"status": "eq", "id": "eq", "lastUpdated": "eq gt ge lt le",
		"profile.login": "eq", "profile.email": "eq", "profile.firstName": "eq", "profile.lastName": "eq",
	}}
	// orgUserSearchRules is what /api/v1/users?search= accepts: any profile
	// attribute, co only on firstName/lastName/email/login, no ne.
	orgUserSearchRules = orgQueryRules{
		attrs: map[string]string{
			"id": "eq sw pr", "status": "eq", "type.id": "eq",
			"created": "eq gt ge lt le pr", "activated": "eq gt ge lt le pr", "statusChanged": "eq gt ge lt le pr",
			"lastUpdated": "eq gt ge lt le pr", "lastLogin": "eq gt ge lt le pr", "passwordChanged": "eq gt ge lt le pr",
		},
		prefixes: map[string]string{"profile.": "eq sw gt ge lt le pr"},
		perAttr: map[string]string{
			"profile.firstName": "eq sw co gt ge lt le pr", "profile.lastName": "eq sw co gt ge lt le pr",
			"profile.email": "eq sw co gt ge lt le pr", "profile.login": "eq sw co gt ge lt le pr",
		},
	}
)

// handleListUsers serves GET /api/v1/users: the plain list hides
// DEPROVISIONED users, search and filter include them, q is a prefix match
// on first name, last name and email (default 10 results, no pagination).
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	var expr *orgExprNode
	var err error
	switch {
	case qv.Get("search") != "":
		expr, err = orgParseChecked("search", qv.Get("search"), orgUserSearchRules)
	case qv.Get("filter") != "":
		expr, err = orgParseChecked("filter", qv.Get("filter"), orgUserFilterRules)
	}
	if err != nil {
		orgWriteQueryError(w, err)
		return
	}
	q := qv.Get("q")
	spec := orgPageSpec{def: 200, max: 200}
	if q != "" && expr == nil {
		spec = orgPageSpec{def: 10, max: 200}
	}
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
	pred := func(u *orgObj) bool {
		if expr != nil {
			return expr.eval(o.objectGetter(typeUser, u))
		}
		if u.status == "DEPROVISIONED" {
			return false
		}
		return q == "" || orgQMatch(u, q)
	}
	page, more := orgCollect(o.cols[typeUser].items, after, limit, pred)
	p := orgPage{body: orgRenderPage(page, func(b []byte, u *orgObj) []byte { return append(b, u.raw...) }), limit: limit}
	if more && (q == "" || expr != nil) {
		p.next = orgCursorFor(page[len(page)-1].seq)
	}
	o.mu.RUnlock()
	orgWritePage(w, r, p)
}

// orgFindUser finds a user by id or login (callers hold mu).
func (o *orgStore) orgFindUser(idOrLogin string) *orgObj {
	if u := o.cols[typeUser].byID[idOrLogin]; u != nil {
		return u
	}
	for _, u := range o.cols[typeUser].items {
		if u.name == idOrLogin {
			return u
		}
	}
	return nil
}

// handleGetUser serves GET /api/v1/users/{id|login} with an ETag.
func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	u := o.orgFindUser(id)
	var body []byte
	var etag string
	if u != nil {
		body = append([]byte(nil), u.raw...)
		etag = `W/"` + strconv.FormatInt(u.lastUpdated, 10) + `"`
	}
	o.mu.RUnlock()
	if u == nil {
		orgNotFound(w, id, "User")
		return
	}
	w.Header().Set("ETag", etag)
	orgWriteBody(w, r, http.StatusOK, body)
}

// handleUserChildren serves /users/{id}/groups, /factors and /roles.
func (s *Server) handleUserChildren(w http.ResponseWriter, r *http.Request) {
	id, sub := r.PathValue("id"), r.PathValue("sub")
	o := s.org
	o.mu.RLock()
	u := o.orgFindUser(id)
	o.mu.RUnlock()
	if u == nil {
		orgNotFound(w, id, "User")
		return
	}
	switch sub {
	case "factors":
		s.orgUnpaged(w, r, typeUserFactor, u.id)
	case "roles":
		s.orgUnpaged(w, r, typeAdminRole, u.id)
	case "groups":
		o.mu.RLock()
		groups := o.cols[typeGroup]
		var list []*orgObj
		for _, g := range groups.items {
			if g.kind == "BUILT_IN" {
				list = append(list, g)
			}
		}
		for _, m := range o.cols[typeGroupMembership].byRef[u.id] {
			if g := groups.byID[m.parent]; g != nil {
				list = append(list, g)
			}
		}
		body := orgRenderPage(list, func(b []byte, g *orgObj) []byte { return append(b, g.raw...) })
		o.mu.RUnlock()
		orgWritePage(w, r, orgPage{body: body})
	default:
		writeOktaError(w, http.StatusNotFound, "E0000008", "The requested path was not found")
	}
}

// handleGetFactor serves GET /api/v1/users/{id}/factors/{fid}.
func (s *Server) handleGetFactor(w http.ResponseWriter, r *http.Request) {
	fid := r.PathValue("fid")
	o := s.org
	o.mu.RLock()
	f := o.cols[typeUserFactor].byID[fid]
	var body []byte
	if f != nil && f.parent == r.PathValue("id") {
		body = o.renderJSON(typeUserFactor, f)
	}
	o.mu.RUnlock()
	if body == nil {
		orgNotFound(w, fid, "UserFactor")
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}
