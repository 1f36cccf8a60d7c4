package oktasim

import (
	"net/http"
)

// GroundTruth is what the simulated org holds right now: the ids of every
// object per resource type, and the counts the receiver's inventory
// metrics report. GET /_sim/groundtruth returns the same data as JSON:
//
//	{
//	  "orgId": "00o…", "engine": "oie",
//	  "ids": {                                   // every data-contract resource type
//	    "user": ["00u…", …],                     // including DEPROVISIONED users
//	    "group_membership": ["<groupId>/<userId>", …],   // Everyone's members too
//	    "application_user": ["<appId>/<userId>", …],
//	    "application_group": ["<appId>/<groupId>", …],
//	    "admin_role_assignment": ["<principalId>/<assignmentId>", …],
//	    "org": ["00o…"], "okta_support": ["00o…"], "threat_insight": ["00o…"],
//	    "authenticator": ["aut…", …],             // empty when a Classic org answers it with an error
//	    …
//	  },
//	  "counts": {
//	    "usersByStatus": {"ACTIVE": 400, …},
//	    "groupsByType": {"OKTA_GROUP": 50, "APP_GROUP": 9, "BUILT_IN": 1},
//	    "groupMembers": {"<groupId>": 12, …},     // = expand=stats usersCount
//	    "groupRulesByStatus": {"ACTIVE": 2, …},
//	    "appsByStatusAndSignOnMode": {"ACTIVE/SAML_2_0": 10, …},
//	    "usersPerApp": {"<appId>": 25, …}, "groupsPerApp": {"<appId>": 2, …},
//	    "policiesByTypeAndStatus": {"PASSWORD/ACTIVE": 2, …},
//	    "rulesPerPolicy": {"<policyId>": 3, …},
//	    "factorsByTypeAndStatus": {"push/ACTIVE": 120, …},
//	    "adminAssignmentsByRole": {"SUPER_ADMIN": 3, …}
//	  }
//	}
type GroundTruth struct {
	OrgID  string              `json:"orgId"`
	Engine string              `json:"engine"`
	IDs    map[string][]string `json:"ids"`
	Counts GroundTruthCounts   `json:"counts"`
}

// GroundTruthCounts are the counts behind the inventory metrics. Composite
// keys join their parts with "/" ("ACTIVE/SAML_2_0", "push/ACTIVE").
type GroundTruthCounts struct {
	UsersByStatus             map[string]int `json:"usersByStatus"`
	GroupsByType              map[string]int `json:"groupsByType"`
	GroupMembers              map[string]int `json:"groupMembers"`
	GroupRulesByStatus        map[string]int `json:"groupRulesByStatus"`
	AppsByStatusAndSignOnMode map[string]int `json:"appsByStatusAndSignOnMode"`
	UsersPerApp               map[string]int `json:"usersPerApp"`
	GroupsPerApp              map[string]int `json:"groupsPerApp"`
	PoliciesByTypeAndStatus   map[string]int `json:"policiesByTypeAndStatus"`
	RulesPerPolicy            map[string]int `json:"rulesPerPolicy"`
	FactorsByTypeAndStatus    map[string]int `json:"factorsByTypeAndStatus"`
	AdminAssignmentsByRole    map[string]int `json:"adminAssignmentsByRole"`
}

// GroundTruth returns the org's current ground truth.
func (s *Server) GroundTruth() GroundTruth { return s.org.groundTruth() }

func (o *orgStore) groundTruth() GroundTruth {
	o.mu.RLock()
	defer o.mu.RUnlock()
	gt := GroundTruth{OrgID: o.orgID, Engine: o.opts.Engine, IDs: map[string][]string{}}
	for _, typ := range resourceTypes {
		items := o.cols[typ].items
		ids := make([]string, 0, len(items))
		for _, obj := range items {
			ids = append(ids, obj.key())
		}
		gt.IDs[typ] = ids
	}
	// Everyone's members are implicit in the store: every user.
	for _, g := range o.cols[typeGroup].items {
		if g.kind == "BUILT_IN" {
			for _, u := range o.cols[typeUser].items {
				gt.IDs[typeGroupMembership] = append(gt.IDs[typeGroupMembership], g.id+"/"+u.id)
			}
		}
	}
	c := GroundTruthCounts{
		UsersByStatus: map[string]int{}, GroupsByType: map[string]int{}, GroupMembers: map[string]int{},
		GroupRulesByStatus: map[string]int{}, AppsByStatusAndSignOnMode: map[string]int{},
		UsersPerApp: map[string]int{}, GroupsPerApp: map[string]int{}, PoliciesByTypeAndStatus: map[string]int{},
		RulesPerPolicy: map[string]int{}, FactorsByTypeAndStatus: map[string]int{}, AdminAssignmentsByRole: map[string]int{},
	}
	for _, u := range o.cols[typeUser].items {
		c.UsersByStatus[u.status]++
	}
	for _, g := range o.cols[typeGroup].items {
		c.GroupsByType[g.kind]++
		c.GroupMembers[g.id] = o.groupMemberCount(g)
	}
	for _, r := range o.cols[typeGroupRule].items {
		c.GroupRulesByStatus[r.status]++
	}
	for _, a := range o.cols[typeApplication].items {
		c.AppsByStatusAndSignOnMode[a.status+"/"+a.kind]++
		c.UsersPerApp[a.id] = len(o.cols[typeApplicationUser].byParent[a.id])
		c.GroupsPerApp[a.id] = len(o.cols[typeApplicationGroup].byParent[a.id])
	}
	for _, p := range o.cols[typePolicy].items {
		c.PoliciesByTypeAndStatus[p.kind+"/"+p.status]++
		c.RulesPerPolicy[p.id] = len(o.cols[typePolicyRule].byParent[p.id])
	}
	for _, f := range o.cols[typeUserFactor].items {
		c.FactorsByTypeAndStatus[f.kind+"/"+f.status]++
	}
	for _, ra := range o.cols[typeAdminRole].items {
		c.AdminAssignmentsByRole[ra.kind]++
	}
	gt.Counts = c
	return gt
}

// handleGroundTruth serves GET /_sim/groundtruth.
func (s *Server) handleGroundTruth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.GroundTruth())
}
