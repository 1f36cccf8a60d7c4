package oktareceiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Page sizes: the maximum each endpoint accepts, so that a full sync needs as few
// requests as Okta allows.
const (
	pageUsers       = 200
	pageGroups      = 10000
	pageGroupUsers  = 1000
	pageGroupRules  = 200
	pageApps        = 200
	pageAppUsers    = 500
	pageAppGroups   = 200
	pageAuthServers = 200
	pageIDPs        = 200
	pageOrigins     = 200
	pageLogStreams  = 200
	pageIAMAssignee = 100
)

// Policy types by engine: Identity Engine orgs support all of them, Classic orgs only
// the first four. The engine (from /.well-known/okta-organization) decides which policy
// types are tried, and nothing else: every enabled resource type is requested on every
// engine, and an answer that means "not here" skips it (classify).
var (
	classicPolicyTypes = []string{"OKTA_SIGN_ON", "PASSWORD", "MFA_ENROLL", "IDP_DISCOVERY"}
	oiePolicyTypes     = []string{"ACCESS_POLICY", "PROFILE_ENROLLMENT", "ENTITY_RISK", "POST_AUTH_SESSION",
		"SESSION_VIOLATION_DETECTION", "DEVICE_SIGNAL_COLLECTION", "CLIENT_UPDATE", "IDENTITY_CLAIM_SOURCING"}
)

// simpleLists are the types listed from one paginated endpoint without parents.
var simpleLists = map[string]string{
	resFeature:             "/api/v1/features",
	resUserType:            "/api/v1/meta/types/user",
	resGroupRule:           "/api/v1/groups/rules?limit=" + itoa(pageGroupRules),
	resApplication:         "/api/v1/apps?limit=" + itoa(pageApps),
	resAuthenticator:       "/api/v1/authenticators",
	resAuthorizationServer: "/api/v1/authorizationServers?limit=" + itoa(pageAuthServers),
	resIdentityProvider:    "/api/v1/idps?limit=" + itoa(pageIDPs),
	resNetworkZone:         "/api/v1/zones",
	resTrustedOrigin:       "/api/v1/trustedOrigins?limit=" + itoa(pageOrigins),
	resAPIToken:            "/api/v1/api-tokens",
	resEventHook:           "/api/v1/eventHooks",
	resLogStream:           "/api/v1/logStreams?limit=" + itoa(pageLogStreams),
}

// singletons are the types read as one object whose id is the org id.
var singletons = map[string]string{
	resOrg:           "/api/v1/org",
	resOktaSupport:   "/api/v1/org/privacy/oktaSupport",
	resThreatInsight: "/api/v1/threats/configuration",
}

// fullSync is the state of one full sync run.
type fullSync struct {
	id   string
	emit *emitter
}

// fullSync lists every enabled resource type and emits snapshots, then created/updated/
// deleted changes against the previous full sync. A type that fails does not stop the
// others; what was delivered stays delivered.
func (inv *inventory) fullSync(ctx context.Context) {
	start := time.Now()
	inv.discoverOrg(ctx)
	inv.persist.unit.Lock()
	inv.openState(ctx)
	inv.persist.unit.Unlock()
	fs := &fullSync{id: newSyncID(), emit: inv.newEmitter()}
	inv.skips.reset()
	failed := 0
	for _, typ := range allResourceTypes {
		if ctx.Err() != nil {
			return
		}
		if !inv.enabled(typ) {
			continue
		}
		var err error
		typeStart := time.Now()
		inv.persist.unit.Lock()
		failedBefore := fs.emit.failed
		switch typ {
		case resUser:
			err = inv.syncUsers(ctx, fs)
		case resGroup:
			err = inv.syncGroups(ctx, fs)
		case resPolicy:
			err = inv.syncPolicies(ctx, fs)
		case resUserFactor:
			err = inv.syncChildren(ctx, fs, typ, resUser, "DEPROVISIONED", func(id string) string {
				return "/api/v1/users/" + url.PathEscape(id) + "/factors"
			})
		case resGroupMembership:
			err = inv.syncChildren(ctx, fs, typ, resGroup, "", func(id string) string {
				return "/api/v1/groups/" + url.PathEscape(id) + "/users?limit=" + itoa(pageGroupUsers)
			})
		case resApplicationUser:
			err = inv.syncChildren(ctx, fs, typ, resApplication, "", func(id string) string {
				return "/api/v1/apps/" + url.PathEscape(id) + "/users?limit=" + itoa(pageAppUsers)
			})
		case resApplicationGroup:
			err = inv.syncChildren(ctx, fs, typ, resApplication, "", func(id string) string {
				return "/api/v1/apps/" + url.PathEscape(id) + "/groups?limit=" + itoa(pageAppGroups)
			})
		case resPolicyRule:
			err = inv.syncChildren(ctx, fs, typ, resPolicy, "", func(id string) string {
				return "/api/v1/policies/" + url.PathEscape(id) + "/rules"
			})
		case resAdminRoleAssignment:
			err = inv.syncAdminRoles(ctx, fs)
		default:
			if path, ok := singletons[typ]; ok {
				err = inv.syncList(ctx, fs, typ, []string{path}, "")
			} else {
				err = inv.syncList(ctx, fs, typ, []string{simpleLists[typ]}, "")
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				inv.persist.unit.Unlock()
				return
			}
			failed++
			if errors.Is(err, errTypeSkipped) {
				inv.skips.add(typ)
			}
			inv.noteTypeError(typ, err)
		} else {
			inv.noteTypeOK(typ)
			inv.noteListed(typ, typeStart)
		}
		if typ == resUser || typ == resGroup {
			inv.setWatermark(typ, typeStart)
		}
		// The type's records are delivered before its state is written (at least once).
		fs.emit.flush(ctx)
		inv.persistState(ctx, fs.emit.failed == failedBefore)
		inv.persist.unit.Unlock()
	}
	inv.mu.Lock()
	inv.durations["full"] = time.Since(start).Seconds()
	inv.fullDone = true
	inv.mu.Unlock()
	inv.refetch.wake() // refetches queued during the first full sync can run now
	inv.p.settings.Logger.Info("Okta inventory full sync done",
		zap.Duration("duration", time.Since(start)), zap.Int("failed_types", failed))
}

// record handles one object seen by a full sync: state update, snapshot record, and a
// created or updated change when a previous full sync of the type exists.
func (inv *inventory) record(ctx context.Context, fs *fullSync, typ string, obj map[string]any, p parentRef, gen uint32, hadPrev bool) {
	rec, meta := describe(typ, obj, p, inv.getOrgID())
	if rec.id == "" || rec.id == "/" || strings.HasSuffix(rec.id, "/") {
		return
	}
	res := inv.state.upsert(typ, rec.id, obj, meta, gen, keepsName[typ])
	if typ == resGroup && boolAt(obj, "_embedded", "stats", "hasAdminPrivilege") {
		inv.mu.Lock()
		inv.adminGrps = append(inv.adminGrps, rec.id)
		inv.mu.Unlock()
	}
	if typ == resOrg {
		inv.setOrgID(rec.id)
	}
	snap := rec
	snap.event, snap.syncID = eventInventorySnapshot, fs.id
	fs.emit.add(ctx, snap)
	if !hadPrev {
		return
	}
	switch {
	case res.created:
		ch := rec
		ch.event, ch.changeType, ch.trigger, ch.syncID, ch.syncGen = eventInventoryChange, changeCreated, triggerFullSync, fs.id, gen
		ch.values = changeValues(auditSet{}, res.after, nil)
		fs.emit.add(ctx, ch)
	case len(res.changed) > 0:
		ch := rec
		ch.event, ch.changeType, ch.trigger, ch.syncID, ch.syncGen, ch.fields = eventInventoryChange, changeUpdated, triggerFullSync, fs.id, gen, res.changed
		ch.values = changeValues(res.before, res.after, res.changed)
		fs.emit.add(ctx, ch)
	}
}

// finish ends the full sync of typ: deleted changes for what was not seen.
func (inv *inventory) finish(ctx context.Context, fs *fullSync, typ string, gen uint32, complete, hadPrev bool, skipParents map[string]bool) {
	gone, before := inv.state.endSyncWithAudit(typ, gen, complete, skipParents)
	if !hadPrev {
		return
	}
	for _, id := range gone {
		fs.emit.add(ctx, inventoryRecord{
			event: eventInventoryChange, typ: typ, id: id, changeType: changeDeleted,
			trigger: triggerFullSync, syncID: fs.id, syncGen: gen, parents: deletedParents(typ, id),
			values: changeValues(before[id], auditSet{}, nil),
		})
	}
}

// deletedParents rebuilds the parent attributes of a deleted child from its composite id.
func deletedParents(typ, id string) [][2]string {
	first, second, ok := strings.Cut(id, "/")
	if !ok {
		return nil
	}
	switch typ {
	case resGroupMembership:
		return [][2]string{{attrGroupID, first}, {attrUserID, second}}
	case resApplicationUser:
		return [][2]string{{attrApplicationID, first}, {attrUserID, second}}
	case resApplicationGroup:
		return [][2]string{{attrApplicationID, first}, {attrGroupID, second}}
	}
	return nil
}

// syncList lists typ from each path (a plain list or a singleton).
func (inv *inventory) syncList(ctx context.Context, fs *fullSync, typ string, paths []string, bodyKey string) error {
	gen, hadPrev := inv.state.beginSync(typ)
	var firstErr error
	for _, path := range paths {
		err := inv.listAll(ctx, path, bodyKey, func(items []map[string]any) error {
			for _, obj := range items {
				inv.record(ctx, fs, typ, obj, parentRef{}, gen, hadPrev)
			}
			return nil
		})
		if err != nil && firstErr == nil {
			firstErr = classify(err)
		}
	}
	inv.finish(ctx, fs, typ, gen, firstErr == nil, hadPrev, nil)
	return firstErr
}

// syncUsers lists users: the plain list hides DEPROVISIONED users, so they are listed
// with a search as well.
func (inv *inventory) syncUsers(ctx context.Context, fs *fullSync) error {
	return inv.syncList(ctx, fs, resUser, []string{
		"/api/v1/users?limit=" + itoa(pageUsers),
		"/api/v1/users?limit=" + itoa(pageUsers) + "&search=" + url.QueryEscape(`status eq "DEPROVISIONED"`),
	}, "")
}

// syncGroups lists groups with expand=stats (member counts, admin privilege).
func (inv *inventory) syncGroups(ctx context.Context, fs *fullSync) error {
	inv.mu.Lock()
	inv.adminGrps = nil
	inv.mu.Unlock()
	return inv.syncList(ctx, fs, resGroup, []string{"/api/v1/groups?limit=" + itoa(pageGroups) + "&expand=stats"}, "")
}

// syncPolicies lists the policy types of the org's engine. A policy type the org
// answers "not here" (400 E0000002, 404, ...) is reported once and skipped while the
// other policy types go on; a 403 skips the whole resource type.
func (inv *inventory) syncPolicies(ctx context.Context, fs *fullSync) error {
	types := classicPolicyTypes
	if inv.getEngine() != "classic" {
		types = append(append([]string{}, classicPolicyTypes...), oiePolicyTypes...)
	}
	gen, hadPrev := inv.state.beginSync(resPolicy)
	complete := true
	var firstErr error
	for _, pt := range types {
		err := inv.listAll(ctx, "/api/v1/policies?type="+pt, "", func(items []map[string]any) error {
			for _, obj := range items {
				inv.record(ctx, fs, resPolicy, obj, parentRef{}, gen, hadPrev)
			}
			return nil
		})
		if err == nil {
			inv.noteTypeOK(resPolicy + ":" + pt)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = classify(err)
		if ae := asAPIError(err); errors.Is(err, errTypeSkipped) && ae.Status != http.StatusForbidden {
			inv.noteError(resPolicy, resPolicy+":"+pt, err) // not served by this org: once per policy type
			continue
		}
		complete = false
		if firstErr == nil {
			firstErr = err
		}
	}
	inv.finish(ctx, fs, resPolicy, gen, complete, hadPrev, nil)
	return firstErr
}

// syncChildren lists typ for every known object of parentType (except those whose
// dimension is excludeDim, e.g. DEPROVISIONED users). A parent that vanished meanwhile
// (404) is skipped; a failing parent keeps its children from being reported deleted; a
// 403 stops the type.
func (inv *inventory) syncChildren(ctx context.Context, fs *fullSync, typ, parentType, excludeDim string, pathOf func(string) string) error {
	if !inv.enabled(parentType) {
		return errors.New(typ + " needs " + parentType + " to be enabled")
	}
	if inv.skips.has(parentType) {
		// Without its parents' listing, every known child would look deleted.
		return fmt.Errorf("%w: its parent type %s was skipped", errTypeSkipped, parentType)
	}
	policyTypes := map[string]string{}
	if parentType == resPolicy {
		for id, v := range inv.state.valuesOf(resPolicy) {
			pt, _, _ := strings.Cut(v.dim, "\x00")
			policyTypes[id] = pt
		}
	}
	gen, hadPrev := inv.state.beginSync(typ)
	skip := map[string]bool{}
	var firstErr error
	for _, parent := range inv.state.ids(parentType, excludeDim) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p := parentRef{id: parent, policyType: policyTypes[parent]}
		err := inv.listAll(ctx, pathOf(parent), "", func(items []map[string]any) error {
			for _, obj := range items {
				inv.record(ctx, fs, typ, obj, p, gen, hadPrev)
			}
			return nil
		})
		if err == nil {
			continue
		}
		if ae := asAPIError(err); ae != nil && ae.Status == 404 {
			continue // the parent is gone; its children are deleted with it
		}
		err = classify(err)
		skip[parent] = true
		if firstErr == nil {
			firstErr = err
		}
		if errors.Is(err, errTypeSkipped) {
			inv.finish(ctx, fs, typ, gen, false, hadPrev, nil)
			return err
		}
	}
	inv.finish(ctx, fs, typ, gen, true, hadPrev, skip)
	return firstErr
}

// syncAdminRoles lists admin role assignments: users that hold a role come from
// /api/v1/iam/assignees/users (body-paginated), their roles from /users/{id}/roles
// (assignments through a group are listed with the group); groups with admin privilege
// (expand=stats) have theirs read from /groups/{id}/roles.
func (inv *inventory) syncAdminRoles(ctx context.Context, fs *fullSync) error {
	gen, hadPrev := inv.state.beginSync(resAdminRoleAssignment)
	skip := map[string]bool{}
	var admins []string
	err := inv.listAll(ctx, "/api/v1/iam/assignees/users?limit="+itoa(pageIAMAssignee), "value", func(items []map[string]any) error {
		for _, it := range items {
			if id := str(it, "id"); id != "" {
				admins = append(admins, id)
			}
		}
		return nil
	})
	if err != nil {
		err = classify(err)
		inv.finish(ctx, fs, resAdminRoleAssignment, gen, false, hadPrev, nil)
		return err
	}
	inv.mu.Lock()
	groups := append([]string(nil), inv.adminGrps...)
	inv.mu.Unlock()
	var firstErr error
	fetch := func(principal, id, path string) error {
		p := parentRef{id: id, principal: principal}
		err := inv.listAll(ctx, path, "", func(items []map[string]any) error {
			for _, obj := range items {
				if principal == "user" && str(obj, "assignmentType") == "GROUP" {
					continue
				}
				inv.record(ctx, fs, resAdminRoleAssignment, obj, p, gen, hadPrev)
			}
			return nil
		})
		if err != nil {
			if ae := asAPIError(err); ae != nil && ae.Status == 404 {
				return nil
			}
			skip[id] = true
			err = classify(err)
			if firstErr == nil {
				firstErr = err
			}
		}
		return err
	}
	for _, id := range admins {
		if err := fetch("user", id, "/api/v1/users/"+url.PathEscape(id)+"/roles"); errors.Is(err, errTypeSkipped) || ctx.Err() != nil {
			inv.finish(ctx, fs, resAdminRoleAssignment, gen, false, hadPrev, nil)
			return err
		}
	}
	for _, id := range groups {
		if err := fetch("group", id, "/api/v1/groups/"+url.PathEscape(id)+"/roles"); errors.Is(err, errTypeSkipped) || ctx.Err() != nil {
			inv.finish(ctx, fs, resAdminRoleAssignment, gen, false, hadPrev, nil)
			return err
		}
	}
	inv.finish(ctx, fs, resAdminRoleAssignment, gen, true, hadPrev, skip)
	return firstErr
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{digits[i%10]}, b...)
	}
	return string(b)
}
