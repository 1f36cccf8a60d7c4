package oktasim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// newOrgStore generates the org described by opts; clock is the simulator's wall clock.
func newOrgStore(opts OrgOptions, clock func() time.Time) (*orgStore, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("org options: %w", err)
	}
	now := opts.Now
	if now.IsZero() {
		now = clock().UTC().Truncate(24 * time.Hour)
	}
	st := &orgStore{opts: opts, epoch: now, cols: map[string]*orgCollection{}, clock: clock}
	for _, t := range resourceTypes {
		st.cols[t] = newOrgCollection()
	}
	g := &orgGen{
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x6f6b7461)),
		now:    now.UnixMilli(),
		engine: opts.Engine,
	}
	g.orgID = newOktaID(g.rng, "00o")
	st.orgID = g.orgID
	st.generate(g)
	st.lastMs = g.now
	return st, nil
}

// insert adds a new object (callers hold mu or own the store).
func (o *orgStore) insert(typ string, obj *orgObj) *orgObj {
	obj.seq = o.nextSeq()
	o.cols[typ].add(obj)
	return obj
}

func (o *orgStore) generate(g *orgGen) {
	opts := o.opts
	rng := g.rng

	// User types first: users refer to them.
	ut := o.insert(typeUserType, g.buildUserType("user", "User", true, ""))
	ct := o.insert(typeUserType, g.buildUserType("contractor", "Contractor", false, ""))
	g.userTypeIDs = []string{ut.id, ct.id}

	users := make([]*orgObj, 0, opts.Users)
	for i := range opts.Users {
		status := ""
		if i < len(userStatuses) {
			status = userStatuses[i] // every status is represented
		}
		users = append(users, o.insert(typeUser, g.buildUser(i, status)))
	}
	for _, u := range users {
		for _, f := range g.buildFactors(u) {
			o.insert(typeUserFactor, f)
		}
	}

	var zones []*orgObj
	for i, p := range zonePlans(g.engine) {
		zones = append(zones, o.insert(typeNetworkZone, g.buildZone(p, i)))
	}
	corpZone := zones[2].id

	everyone := o.insert(typeGroup, g.buildGroup(0, "BUILT_IN", "Everyone", ""))
	g.everyoneID = everyone.id

	// Policies (and the OIE app sign-in policies apps point at).
	var accessPolicies []string
	prio := map[string]int{}
	for _, p := range policyPlans(g.engine) {
		prio[p.typ]++
		pol := o.insert(typePolicy, g.buildPolicy(p, prio[p.typ], []string{everyone.id}))
		if p.typ == "ACCESS_POLICY" {
			accessPolicies = append(accessPolicies, pol.id)
		}
		nRules := 1 + rng.IntN(3)
		for n := range nRules {
			status := "ACTIVE"
			if n == 0 && nRules > 2 {
				status = "INACTIVE"
			}
			o.insert(typePolicyRule, g.buildPolicyRule(pol, n, n == nRules-1, p.variant, []string{corpZone}, status))
		}
	}

	apps := make([]*orgObj, 0, opts.Apps)
	for i := range opts.Apps {
		mode, label, status, secret := "", "", "", false
		switch i {
		case 0: // the OIDC app carrying a client secret the receiver must redact
			mode, label, status, secret = "OPENID_CONNECT", "Ops Dashboard", "ACTIVE", true
		case 1:
			mode, label, status = "SAML_2_0", "Salesforce", "ACTIVE"
		case 2:
			mode, label, status = "BOOKMARK", "Old wiki", "INACTIVE"
		}
		ap := ""
		if len(accessPolicies) > 0 {
			ap = accessPolicies[rng.IntN(len(accessPolicies))]
		}
		apps = append(apps, o.insert(typeApplication, g.buildApp(i, mode, label, status, secret, ap)))
	}

	groups := make([]*orgObj, 0, opts.Groups)
	groups = append(groups, everyone)
	for i := 1; i < opts.Groups; i++ {
		typ, src := "OKTA_GROUP", ""
		if rng.IntN(100) < 12 {
			typ, src = "APP_GROUP", apps[rng.IntN(len(apps))].id
		}
		groups = append(groups, o.insert(typeGroup, g.buildGroup(i, typ, "", src)))
	}

	// Memberships (Everyone's are implicit: every user is a member).
	members := o.generateMemberships(g, users, groups[1:])

	// App groups, then app users: GROUP-scoped for members of assigned
	// groups, USER-scoped direct assignments.
	appUsers := o.cols[typeApplicationUser]
	for _, app := range apps {
		if len(groups) < 2 {
			break
		}
		n := rng.IntN(4)
		for p := range n {
			grp := groups[1+rng.IntN(len(groups)-1)]
			key := app.id + "/" + grp.id
			if o.cols[typeApplicationGroup].byID[key] != nil || len(members[grp.id]) > 5000 {
				continue
			}
			o.insert(typeApplicationGroup, g.buildAppGroup(app, grp, p))
			for _, u := range members[grp.id] {
				if appUsers.byID[app.id+"/"+u.id] == nil {
					o.insert(typeApplicationUser, g.buildAppUser(app, u, "GROUP", grp.id))
				}
			}
		}
	}
	for _, u := range users {
		for range orgPoissonish(rng, opts.AppsPerUser) {
			app := apps[rng.IntN(len(apps))]
			if appUsers.byID[app.id+"/"+u.id] == nil {
				o.insert(typeApplicationUser, g.buildAppUser(app, u, "USER", ""))
			}
		}
	}

	// Group rules, some inactive.
	nRules := min(200, max(3, opts.Groups/20))
	for i := range nRules {
		if len(groups) < 2 {
			break
		}
		status := orgPick(rng, []string{"ACTIVE", "INACTIVE", "INVALID"}, []int{75, 20, 5})
		if i == 1 {
			status = "INACTIVE"
		}
		targets := []*orgObj{groups[1+rng.IntN(len(groups)-1)]}
		exclude := ""
		if i == 0 {
			exclude = users[len(users)-1].id
		}
		o.insert(typeGroupRule, g.buildGroupRule(i, targets, status, exclude))
	}

	if opts.listsAuthenticators() {
		for _, a := range authenticatorPlans {
			if g.engine == engineOIE || a.classic {
				o.insert(typeAuthenticator, g.buildAuthenticator(a.key, a.name, a.typ, a.status))
			}
		}
	}
	o.insert(typeAuthServer, g.buildAuthServer("default", "ACTIVE"))
	o.insert(typeAuthServer, g.buildAuthServer("Partner API", "ACTIVE"))
	o.insert(typeAuthServer, g.buildAuthServer("Legacy API", "INACTIVE"))
	o.insert(typeIdentityProvider, g.buildIDP("Google Workspace", "GOOGLE", "OIDC", "ACTIVE"))
	o.insert(typeIdentityProvider, g.buildIDP("Corporate ADFS", "SAML2", "SAML2", "ACTIVE"))
	o.insert(typeIdentityProvider, g.buildIDP("Partner OIDC", "OIDC", "OIDC", "INACTIVE"))

	admins := o.generateRoles(g, users, groups)
	creator := admins[0]
	o.insert(typeTrustedOrigin, g.buildTrustedOrigin("Intranet", "https://intranet.example.com", "ACTIVE", []string{"CORS", "REDIRECT"}, creator))
	o.insert(typeTrustedOrigin, g.buildTrustedOrigin("Status page", "https://status.example.com", "ACTIVE", []string{"IFRAME_EMBED"}, creator))
	o.insert(typeTrustedOrigin, g.buildTrustedOrigin("Old portal", "http://portal.example.com", "INACTIVE", []string{"CORS"}, creator))

	o.insert(typeAPIToken, g.buildAPIToken("otel-collector", admins[0], ""))
	o.insert(typeAPIToken, g.buildAPIToken("terraform", admins[min(1, len(admins)-1)], corpZone))
	o.insert(typeAPIToken, g.buildAPIToken("legacy-script", admins[min(2, len(admins)-1)], ""))

	o.insert(typeEventHook, g.buildEventHook("Collector user changes", "ACTIVE", "VERIFIED",
		[]string{"user.lifecycle.create", "user.lifecycle.deactivate", "group.user_membership.add"}, creator))
	o.insert(typeEventHook, g.buildEventHook("Old SIEM hook", "INACTIVE", "UNVERIFIED", []string{"user.session.start"}, creator))
	o.insert(typeLogStream, g.buildLogStream("Splunk Cloud (prod)", "splunk_cloud_logstreaming", "ACTIVE"))
	o.insert(typeLogStream, g.buildLogStream("EventBridge (test)", "aws_eventbridge", "INACTIVE"))
	for _, f := range featurePlans {
		o.insert(typeFeature, g.buildFeature(f.name, f.status, f.stage, f.state))
	}
	org, support, threat := g.buildSingletons(corpZone)
	o.insert(typeOrg, org)
	o.insert(typeOktaSupport, support)
	o.insert(typeThreatInsight, threat)
}

// orgPoissonish returns a count with the given mean (floor plus a Bernoulli).
func orgPoissonish(rng *rand.Rand, mean float64) int {
	f := math.Floor(mean)
	n := int(f)
	if rng.Float64() < mean-f {
		n++
	}
	// Spread: sometimes one less or one more.
	switch rng.IntN(4) {
	case 0:
		if n > 0 {
			n--
		}
	case 1:
		n++
	}
	return n
}

// generateMemberships puts users into groups, skewed so that a few groups
// are large and most are small. It returns the members per group.
func (o *orgStore) generateMemberships(g *orgGen, users, groups []*orgObj) map[string][]*orgObj {
	members := map[string][]*orgObj{}
	if len(groups) == 0 {
		return members
	}
	rng := g.rng
	for _, u := range users {
		k := min(orgPoissonish(rng, o.opts.GroupsPerUser), len(groups))
		var picked []int
		for range k {
			r := rng.Float64()
			idx := int(float64(len(groups)) * r * r)
			dup := false
			for _, p := range picked {
				dup = dup || p == idx
			}
			if dup {
				continue
			}
			picked = append(picked, idx)
			grp := groups[idx]
			at := g.between(max(u.created, grp.created), g.now)
			o.insert(typeGroupMembership, g.buildMembership(grp.id, u.id, at))
			members[grp.id] = append(members[grp.id], u)
		}
	}
	return members
}

// generateRoles assigns admin roles (several SUPER_ADMIN) to ACTIVE users
// and two groups, and defines the custom IAM roles. It returns the ids of
// the users holding a role, super admins first.
func (o *orgStore) generateRoles(g *orgGen, users, groups []*orgObj) []string {
	var active []*orgObj
	for _, u := range users {
		if u.status == "ACTIVE" {
			active = append(active, u)
		}
	}
	if len(active) == 0 {
		active = users
	}
	supers := o.opts.SuperAdmins
	if supers == 0 {
		supers = max(3, len(users)/5000)
	}
	plan := []struct {
		role string
		n    int
	}{
		{"SUPER_ADMIN", supers}, {"ORG_ADMIN", 2}, {"APP_ADMIN", 1}, {"HELP_DESK_ADMIN", 2},
		{"READ_ONLY_ADMIN", 2}, {"REPORT_ADMIN", 1}, {"API_ACCESS_MANAGEMENT_ADMIN", 1},
	}
	var ids []string
	next := 0
	for _, p := range plan {
		for range p.n {
			u := active[next%len(active)]
			next++
			if o.cols[typeAdminRole].byParent[u.id] != nil && next > len(active) {
				continue
			}
			o.insert(typeAdminRole, g.buildRoleAssignment(u.id, "USER", p.role, "", ""))
			ids = append(ids, u.id)
		}
	}
	// A deprovisioned user that still holds a role: a classic posture finding.
	for _, u := range users {
		if u.status == "DEPROVISIONED" {
			o.insert(typeAdminRole, g.buildRoleAssignment(u.id, "USER", "READ_ONLY_ADMIN", "", ""))
			break
		}
	}
	o.customRoleID = newOktaID(g.rng, "cr0")
	o.resourceSetID = newOktaID(g.rng, "iam")
	o.customRoleCreated = g.ago(100, 400)
	if len(groups) > 1 {
		o.insert(typeAdminRole, g.buildRoleAssignment(groups[1].id, "GROUP", "HELP_DESK_ADMIN", "", ""))
		o.insert(typeAdminRole, g.buildRoleAssignment(groups[len(groups)-1].id, "GROUP", "CUSTOM", o.customRoleID, o.resourceSetID))
	}
	return ids
}
