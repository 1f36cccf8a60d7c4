package oktasim

import (
	"errors"
	"net/http"
)

// registerOrgRoutes serves every resource list and single GET, the org
// singletons and /.well-known/okta-organization.
func (s *Server) registerOrgRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/okta-organization", s.handleWellKnown)

	mux.HandleFunc("GET /api/v1/users", s.handleListUsers)
	mux.HandleFunc("GET /api/v1/users/{id}", s.handleGetUser)
	mux.HandleFunc("GET /api/v1/users/{id}/{sub}", s.handleUserChildren)
	mux.HandleFunc("GET /api/v1/users/{id}/factors/{fid}", s.handleGetFactor)
	mux.HandleFunc("GET /api/v1/users/{id}/roles/{rid}", s.handleGetPrincipalRole)

	mux.HandleFunc("GET /api/v1/groups", s.handleListGroups)
	mux.HandleFunc("GET /api/v1/groups/{id}", s.handleGetGroup)
	mux.HandleFunc("GET /api/v1/groups/{id}/{sub}", s.handleGroupChildren)
	mux.HandleFunc("GET /api/v1/groups/{id}/roles/{rid}", s.handleGetPrincipalRole)
	mux.HandleFunc("GET /api/v1/groups/rules", s.handleListGroupRules)
	mux.HandleFunc("GET /api/v1/groups/rules/{rid}", s.handleGetGroupRule)

	mux.HandleFunc("GET /api/v1/apps", s.handleListApps)
	mux.HandleFunc("GET /api/v1/apps/{id}", s.getByID(typeApplication, "AppInstance"))
	mux.HandleFunc("GET /api/v1/apps/{id}/users", s.handleAppUsers)
	mux.HandleFunc("GET /api/v1/apps/{id}/users/{uid}", s.handleGetRelation(typeApplicationUser, "uid", "AppUser"))
	mux.HandleFunc("GET /api/v1/apps/{id}/groups", s.handleAppGroups)
	mux.HandleFunc("GET /api/v1/apps/{id}/groups/{gid}", s.handleGetRelation(typeApplicationGroup, "gid", "ApplicationGroupAssignment"))

	mux.HandleFunc("GET /api/v1/policies", s.handleListPolicies)
	mux.HandleFunc("GET /api/v1/policies/{id}", s.getByID(typePolicy, "Policy"))
	mux.HandleFunc("GET /api/v1/policies/{id}/rules", s.handlePolicyRules)
	mux.HandleFunc("GET /api/v1/policies/{id}/rules/{rid}", s.handleGetPolicyRule)

	mux.HandleFunc("GET /api/v1/authenticators", s.classicGuard(s.flatList(typeAuthenticator, orgFlatSpec{page: orgPageSpec{def: -1}})))
	mux.HandleFunc("GET /api/v1/authenticators/{id}", s.classicGuard(s.getByID(typeAuthenticator, "Authenticator")))
	mux.HandleFunc("GET /api/v1/authorizationServers", s.flatList(typeAuthServer, orgFlatSpec{page: orgPageSpec{def: 200, max: 200}, q: true}))
	mux.HandleFunc("GET /api/v1/authorizationServers/{id}", s.getByID(typeAuthServer, "AuthorizationServer"))
	mux.HandleFunc("GET /api/v1/idps", s.flatList(typeIdentityProvider, orgFlatSpec{page: orgPageSpec{def: 20, max: 200}, q: true, typeParam: true}))
	mux.HandleFunc("GET /api/v1/idps/{id}", s.getByID(typeIdentityProvider, "IdentityProvider"))
	mux.HandleFunc("GET /api/v1/zones", s.flatList(typeNetworkZone, orgFlatSpec{page: orgPageSpec{def: -1}, filter: &orgZoneFilterRules}))
	mux.HandleFunc("GET /api/v1/zones/{id}", s.getByID(typeNetworkZone, "NetworkZone"))
	mux.HandleFunc("GET /api/v1/trustedOrigins", s.flatList(typeTrustedOrigin, orgFlatSpec{page: orgPageSpec{def: 20, max: 200}, q: true, filter: &orgTrustedOriginFilterRules}))
	mux.HandleFunc("GET /api/v1/trustedOrigins/{id}", s.getByID(typeTrustedOrigin, "TrustedOrigin"))
	mux.HandleFunc("GET /api/v1/meta/types/user", s.flatList(typeUserType, orgFlatSpec{page: orgPageSpec{def: -1}}))
	mux.HandleFunc("GET /api/v1/meta/types/user/{id}", s.getByID(typeUserType, "UserType"))
	mux.HandleFunc("GET /api/v1/eventHooks", s.flatList(typeEventHook, orgFlatSpec{page: orgPageSpec{def: -1}}))
	mux.HandleFunc("GET /api/v1/eventHooks/{id}", s.getByID(typeEventHook, "EventHook"))
	mux.HandleFunc("GET /api/v1/logStreams", s.flatList(typeLogStream, orgFlatSpec{page: orgPageSpec{def: 20, max: 200}, filter: &orgLogStreamFilterRules}))
	mux.HandleFunc("GET /api/v1/logStreams/{id}", s.getByID(typeLogStream, "LogStream"))
	mux.HandleFunc("GET /api/v1/api-tokens", s.flatList(typeAPIToken, orgFlatSpec{page: orgPageSpec{def: -1}}))
	mux.HandleFunc("GET /api/v1/api-tokens/{id}", s.getByID(typeAPIToken, "ApiToken"))
	mux.HandleFunc("GET /api/v1/features", s.flatList(typeFeature, orgFlatSpec{page: orgPageSpec{def: -1}}))
	mux.HandleFunc("GET /api/v1/features/{id}", s.getByID(typeFeature, "Feature"))

	mux.HandleFunc("GET /api/v1/iam/assignees/users", s.handleIAMAssignees)
	mux.HandleFunc("GET /api/v1/iam/roles", s.handleIAMRoles)

	mux.HandleFunc("GET /api/v1/org", s.singleton(typeOrg))
	mux.HandleFunc("GET /api/v1/org/privacy/oktaSupport", s.singleton(typeOktaSupport))
	mux.HandleFunc("GET /api/v1/threats/configuration", s.singleton(typeThreatInsight))
}

// handleWellKnown answers the unauthenticated engine probe: pipeline "idx"
// on an Identity Engine org, "v1" on a Classic one.
func (s *Server) handleWellKnown(w http.ResponseWriter, r *http.Request) {
	pipeline := "idx"
	if s.org.opts.Engine == engineClassic {
		pipeline = "v1"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": s.org.OrgID(), "pipeline": pipeline,
		"_links": map[string]any{"organization": map[string]any{"href": baseURL(r)}},
	})
}

// classicGuard answers the Okta error a Classic org was told to give
// /api/v1/authenticators (OrgOptions.ClassicAuthenticators) instead of
// serving the request; by default it serves it.
func (s *Server) classicGuard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.org.opts.listsAuthenticators() {
			code := s.org.opts.ClassicAuthenticators
			e := classicAuthenticatorErrors[code]
			writeOktaError(w, e.status, code, e.summary)
			return
		}
		h(w, r)
	}
}

// getByID serves a single object by its id.
func (s *Server) getByID(typ, what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		o := s.org
		o.mu.RLock()
		obj := o.cols[typ].byID[id]
		var body []byte
		if obj != nil {
			body = o.renderJSON(typ, obj)
		}
		o.mu.RUnlock()
		if obj == nil {
			orgNotFound(w, id, what)
			return
		}
		orgWriteBody(w, r, http.StatusOK, body)
	}
}

// singleton serves the org-wide objects (org, okta support, threat insight).
func (s *Server) singleton(typ string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o := s.org
		o.mu.RLock()
		var body []byte
		if items := o.cols[typ].items; len(items) > 0 {
			body = o.renderJSON(typ, items[0])
		}
		o.mu.RUnlock()
		if body == nil {
			orgNotFound(w, typ, typ)
			return
		}
		orgWriteBody(w, r, http.StatusOK, body)
	}
}

// orgFlatSpec describes a plain top-level list.
type orgFlatSpec struct {
	page      orgPageSpec
	q         bool           // q: prefix match on names
	typeParam bool           // type=: exact match on the object's type
	filter    *orgQueryRules // filter= support
}

var (
	orgZoneFilterRules          = orgQueryRules{attrs: map[string]string{"id": "eq", "usage": "eq", "system": "eq"}}
	orgTrustedOriginFilterRules = orgQueryRules{attrs: map[string]string{"name": "eq", "origin": "eq", "status": "eq", "type": "eq"}}
	orgLogStreamFilterRules     = orgQueryRules{attrs: map[string]string{"status": "eq", "type": "eq"}}
)

// flatList serves a top-level collection with pagination, q and filter.
func (s *Server) flatList(typ string, spec orgFlatSpec) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		qv := r.URL.Query()
		limit, ok := orgParseLimit(w, r, spec.page)
		if !ok {
			return
		}
		after, ok := orgParseAfter(w, r)
		if !ok {
			return
		}
		var expr *orgExprNode
		if f := qv.Get("filter"); f != "" && spec.filter != nil {
			var err error
			if expr, err = orgParseChecked("filter", f, *spec.filter); err != nil {
				orgWriteQueryError(w, err)
				return
			}
		}
		q, typeFilter := "", ""
		if spec.q {
			q = qv.Get("q")
		}
		if spec.typeParam {
			typeFilter = qv.Get("type")
		}
		o := s.org
		o.mu.RLock()
		pred := func(obj *orgObj) bool {
			if q != "" && !orgQMatch(obj, q) {
				return false
			}
			if typeFilter != "" && obj.kind != typeFilter {
				return false
			}
			return expr == nil || expr.eval(o.objectGetter(typ, obj))
		}
		page, more := orgCollect(o.cols[typ].items, after, limit, pred)
		p := orgPage{body: orgRenderPage(page, func(b []byte, obj *orgObj) []byte { return o.render(b, typ, obj) }), limit: limit}
		if more {
			p.next = orgCursorFor(page[len(page)-1].seq)
		}
		o.mu.RUnlock()
		orgWritePage(w, r, p)
	}
}

// orgParseChecked parses an expression and checks it against rules.
func orgParseChecked(param, expr string, rules orgQueryRules) (*orgExprNode, error) {
	n, err := orgParseExpr(param, expr)
	if err != nil {
		return nil, err
	}
	if err := rules.check(param, n); err != nil {
		return nil, err
	}
	return n, nil
}

func orgWriteQueryError(w http.ResponseWriter, err error) {
	var qe *orgQueryError
	if errors.As(err, &qe) {
		writeOktaError(w, http.StatusBadRequest, qe.code, qe.summary, qe.cause)
		return
	}
	writeOktaError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
}

// handleGetRelation serves one app user or app group assignment.
func (s *Server) handleGetRelation(typ, refParam, what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("id") + "/" + r.PathValue(refParam)
		o := s.org
		o.mu.RLock()
		obj := o.cols[typ].byID[key]
		var body []byte
		if obj != nil {
			body = o.renderJSON(typ, obj)
		}
		o.mu.RUnlock()
		if obj == nil {
			orgNotFound(w, key, what)
			return
		}
		orgWriteBody(w, r, http.StatusOK, body)
	}
}

// handleGetPrincipalRole serves one role assignment of a user or group.
func (s *Server) handleGetPrincipalRole(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id") + "/" + r.PathValue("rid")
	o := s.org
	o.mu.RLock()
	obj := o.cols[typeAdminRole].byID[key]
	var body []byte
	if obj != nil {
		body = o.renderJSON(typeAdminRole, obj)
	}
	o.mu.RUnlock()
	if obj == nil {
		orgNotFound(w, r.PathValue("rid"), "Role")
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}

// orgUnpaged lists the children of one parent, all at once (factors,
// roles), with a self link.
func (s *Server) orgUnpaged(w http.ResponseWriter, r *http.Request, typ, parent string) {
	o := s.org
	o.mu.RLock()
	list := o.cols[typ].byParent[parent]
	body := orgRenderPage(list, func(b []byte, obj *orgObj) []byte { return o.render(b, typ, obj) })
	o.mu.RUnlock()
	orgWritePage(w, r, orgPage{body: body})
}
