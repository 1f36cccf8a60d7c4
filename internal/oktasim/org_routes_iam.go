package oktasim

import (
	"net/http"
)

// handleIAMAssignees serves GET /api/v1/iam/assignees/users: the users
// holding a role assigned to them directly, paginated in the body
// ({"value":[…],"_links":{"next":{"href":…}}}), default 100.
func (s *Server) handleIAMAssignees(w http.ResponseWriter, r *http.Request) {
	limit, ok := orgParseLimit(w, r, orgPageSpec{def: 100, max: 1000})
	if !ok {
		return
	}
	after, ok := orgParseAfter(w, r)
	if !ok {
		return
	}
	o := s.org
	o.mu.RLock()
	seen := map[string]bool{}
	var first []*orgObj // first USER assignment of each principal, by seq
	for _, ra := range o.cols[typeAdminRole].items {
		if ra.terms == "USER" && !seen[ra.parent] {
			seen[ra.parent] = true
			first = append(first, ra)
		}
	}
	page, more := orgCollect(first, after, limit, nil)
	value := make([]map[string]any, 0, len(page))
	for _, ra := range page {
		value = append(value, map[string]any{
			"id":  ra.parent,
			"orn": "orn:okta:directory:" + o.orgID + ":users:" + ra.parent,
			"_links": map[string]any{
				"self":  orgLink("/api/v1/users/" + ra.parent),
				"roles": orgLink("/api/v1/users/" + ra.parent + "/roles"),
			},
		})
	}
	links := map[string]any{}
	if more {
		links["next"] = map[string]any{"href": orgNextURL(r, orgCursorFor(page[len(page)-1].seq), limit)}
	}
	o.mu.RUnlock()
	orgWriteBody(w, r, http.StatusOK, orgMustJSON(map[string]any{"value": value, "_links": links}))
}

// handleIAMRoles serves GET /api/v1/iam/roles: the org's custom roles,
// in the body shape {"roles":[…],"_links":{}} (one page: few roles).
func (s *Server) handleIAMRoles(w http.ResponseWriter, r *http.Request) {
	o := s.org
	roles := []map[string]any{}
	if o.customRoleID != "" {
		roles = append(roles, map[string]any{
			"id": o.customRoleID, "label": "Group Auditor", "description": "Reads groups and their members",
			"created": orgMsTime(o.customRoleCreated), "lastUpdated": orgMsTime(o.customRoleCreated),
			"_links": map[string]any{
				"self":        orgLink("/api/v1/iam/roles/" + o.customRoleID),
				"permissions": orgLink("/api/v1/iam/roles/" + o.customRoleID + "/permissions"),
			},
		})
	}
	orgWriteBody(w, r, http.StatusOK, orgMustJSON(map[string]any{"roles": roles, "_links": map[string]any{}}))
}
