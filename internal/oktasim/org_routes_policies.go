package oktasim

import (
	"net/http"
	"slices"
)

// handleListPolicies serves GET /api/v1/policies?type=…: type is required
// (400 E0000001), unknown types and, on a Classic org, Identity-Engine-only
// types answer 400 E0000002 "Invalid policy type specified." as Okta does.
// status and q narrow the list; limit/after page it when limit is sent.
func (s *Server) handleListPolicies(w http.ResponseWriter, r *http.Request) {
	qv := r.URL.Query()
	typ := qv.Get("type")
	if typ == "" {
		writeOktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: type", "type: The type parameter is required.")
		return
	}
	known := slices.Contains(classicPolicyTypes, typ) || orgIsOIEOnlyPolicyType(typ)
	if !known || (s.org.opts.Engine == engineClassic && orgIsOIEOnlyPolicyType(typ)) {
		writeOktaError(w, http.StatusBadRequest, "E0000002", "The request was not valid: Invalid policy type specified.",
			"type: Invalid policy type specified.")
		return
	}
	status, q := qv.Get("status"), qv.Get("q")
	if status != "" && status != "ACTIVE" && status != "INACTIVE" {
		writeOktaError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: must be ACTIVE or INACTIVE")
		return
	}
	s.orgChildListWhere(w, r, orgPageSpec{def: -1, max: 0}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
		return o.cols[typePolicy].items, func(b []byte, p *orgObj) []byte { return append(b, p.raw...) }
	}, func(p *orgObj) bool {
		return p.kind == typ && (status == "" || p.status == status) && (q == "" || orgQMatch(p, q))
	})
}

// handlePolicyRules serves GET /api/v1/policies/{id}/rules (all rules;
// limit honoured when sent).
func (s *Server) handlePolicyRules(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	p := o.cols[typePolicy].byID[id]
	o.mu.RUnlock()
	if p == nil {
		orgNotFound(w, id, "Policy")
		return
	}
	s.orgChildList(w, r, orgPageSpec{def: -1}, func(o *orgStore) ([]*orgObj, func([]byte, *orgObj) []byte) {
		return o.cols[typePolicyRule].byParent[id], func(b []byte, rule *orgObj) []byte { return append(b, rule.raw...) }
	})
}

// handleGetPolicyRule serves GET /api/v1/policies/{id}/rules/{rid}.
func (s *Server) handleGetPolicyRule(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("rid")
	o := s.org
	o.mu.RLock()
	rule := o.cols[typePolicyRule].byID[rid]
	var body []byte
	if rule != nil && rule.parent == r.PathValue("id") {
		body = append([]byte(nil), rule.raw...)
	}
	o.mu.RUnlock()
	if body == nil {
		orgNotFound(w, rid, "PolicyRule")
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}
