package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// fullSync is the state of one full sync run.
type fullSync struct {
	id   string
	emit *emitter
}

// FullSync lists every enabled resource type and emits snapshots, then created/updated/
// deleted changes against the previous full sync. A type that fails does not stop the
// others; what was delivered stays delivered.
func (inv *Inventory) FullSync(ctx context.Context) {
	start := time.Now()
	inv.discoverOrg(ctx)
	inv.persist.unit.Lock()
	inv.openState(ctx)
	inv.persist.unit.Unlock()
	fs := &fullSync{id: newSyncID(), emit: inv.newEmitter()}
	inv.skips.reset()
	failed := 0
	for _, spec := range resource.All() {
		typ := string(spec.Type)
		if ctx.Err() != nil {
			return
		}
		if !inv.Enabled(typ) {
			continue
		}
		typeStart := time.Now()
		inv.persist.unit.Lock()
		failedBefore := fs.emit.failed
		err := inv.syncType(ctx, fs, spec)
		if err != nil {
			if ctx.Err() != nil {
				inv.persist.unit.Unlock()
				return
			}
			failed++
			if errors.Is(err, ErrTypeSkipped) {
				inv.skips.add(typ)
			}
			inv.noteTypeError(typ, err)
		} else {
			inv.noteTypeOK(typ)
			inv.noteListed(typ, typeStart)
		}
		if spec.Incremental != nil {
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
	inv.p.Telemetry.Logger.Info("Okta inventory full sync done",
		zap.Duration("duration", time.Since(start)), zap.Int("failed_types", failed))
}

// record handles one object seen by a full sync: state update, snapshot record, and a
// created or updated change when a previous full sync of the type exists.
func (inv *Inventory) record(ctx context.Context, fs *fullSync, typ string, obj map[string]any, p parentRef, gen uint32, hadPrev bool) {
	rec, meta := describe(typ, obj, p, inv.OrgID())
	if rec.id == "" || rec.id == "/" || strings.HasSuffix(rec.id, "/") {
		return
	}
	res := inv.state.upsert(typ, rec.id, obj, meta, gen, keepsName(typ))
	if typ == string(resource.Group) && adminGroupFlag.Bool(obj) {
		inv.mu.Lock()
		inv.adminGrps = append(inv.adminGrps, rec.id)
		inv.mu.Unlock()
	}
	snap := rec
	snap.event, snap.syncID = EventSnapshot, fs.id
	fs.emit.add(ctx, snap)
	if !hadPrev {
		return
	}
	switch {
	case res.created:
		ch := rec
		ch.event, ch.changeType, ch.trigger, ch.syncID, ch.syncGen = EventChange, ChangeCreated, TriggerFullSync, fs.id, gen
		ch.values = changeValues(auditSet{}, res.after, nil)
		fs.emit.add(ctx, ch)
	case len(res.changed) > 0:
		ch := rec
		ch.event, ch.changeType, ch.trigger, ch.syncID, ch.syncGen, ch.fields = EventChange, ChangeUpdated, TriggerFullSync, fs.id, gen, res.changed
		ch.values = changeValues(res.before, res.after, res.changed)
		fs.emit.add(ctx, ch)
	}
}

// finish ends the full sync of typ: deleted changes for what was not seen.
func (inv *Inventory) finish(ctx context.Context, fs *fullSync, typ string, gen uint32, complete, hadPrev bool, skipParents map[string]bool) {
	gone, before := inv.state.endSyncWithAudit(typ, gen, complete, skipParents)
	if !hadPrev {
		return
	}
	for _, id := range gone {
		fs.emit.add(ctx, inventoryRecord{
			event: EventChange, typ: typ, id: id, changeType: ChangeDeleted,
			trigger: TriggerFullSync, syncID: fs.id, syncGen: gen, parents: deletedParents(typ, id),
			values: changeValues(before[id], auditSet{}, nil),
		})
	}
}

// deletedParents rebuilds the parent attributes of a deleted child from its composite id
// "<parent>/<own>", by the type's attributes in the resource table (nil when an attribute is
// not one of those two ids, or its key depends on the parent's type).
func deletedParents(typ, id string) [][2]string {
	first, second, ok := strings.Cut(id, "/")
	spec := resource.Lookup(resource.Type(typ))
	if !ok || spec == nil || spec.ID != resource.Composite {
		return nil
	}
	var out [][2]string
	for _, a := range spec.Attrs {
		switch {
		case a.Key == "":
			return nil
		case a.From == resource.FromParent:
			out = append(out, [2]string{a.Key, first})
		case a.From == resource.FromID:
			out = append(out, [2]string{a.Key, second})
		default:
			return nil
		}
	}
	return out
}

// syncList lists typ from each path (a plain list or a singleton).
func (inv *Inventory) syncList(ctx context.Context, fs *fullSync, typ string, paths []string, bodyKey string) error {
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

// syncType lists one type the way its entry of the resource table says: through its
// principals (admin role assignments), per kind (policies, by the org's engine), under
// each parent (child types), or from each of its listings (users: the plain list hides
// DEPROVISIONED users, so a search lists them as well; groups: expand=stats flags the admin
// groups, which are collected again on every full sync; singletons: one object).
func (inv *Inventory) syncType(ctx context.Context, fs *fullSync, spec *resource.Spec) error {
	typ := string(spec.Type)
	switch {
	case len(spec.Principals) > 0:
		return inv.syncAdminRoles(ctx, fs, spec)
	case spec.Kinds != nil:
		return inv.syncKinds(ctx, fs, spec)
	case spec.Parent != "":
		list := spec.Lists[0]
		return inv.syncChildren(ctx, fs, typ, string(spec.Parent), spec.SkipParents, func(id string) string {
			return list.Request(id, "")
		})
	}
	if spec.Type == resource.Group {
		inv.mu.Lock()
		inv.adminGrps = nil
		inv.mu.Unlock()
	}
	paths := make([]string, len(spec.Lists))
	for i, l := range spec.Lists {
		paths[i] = l.Request("", "")
	}
	return inv.syncList(ctx, fs, typ, paths, spec.Lists[0].BodyKey)
}

// syncKinds lists the kinds of a type the org's engine serves (policy types). A kind the org
// answers "not here" (400 E0000002, 404, ...) is reported once and skipped while the other
// kinds go on; a 403 skips the whole resource type.
func (inv *Inventory) syncKinds(ctx context.Context, fs *fullSync, spec *resource.Spec) error {
	typ := string(spec.Type)
	kinds := spec.Kinds.For(inv.getEngine() == oktaapi.EngineClassic)
	gen, hadPrev := inv.state.beginSync(typ)
	complete := true
	var firstErr error
	for _, pt := range kinds {
		err := inv.listAll(ctx, spec.Lists[0].Request("", "", resource.Param{Name: spec.Kinds.Param, Value: pt}), "", func(items []map[string]any) error {
			for _, obj := range items {
				inv.record(ctx, fs, typ, obj, parentRef{}, gen, hadPrev)
			}
			return nil
		})
		if err == nil {
			inv.noteTypeOK(typ + ":" + pt)
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = classify(err)
		if errors.Is(err, ErrTypeSkipped) && oktaapi.Classify(err) != oktaapi.KindForbidden {
			inv.noteError(typ, typ+":"+pt, err) // not served by this org: once per kind
			continue
		}
		complete = false
		if firstErr == nil {
			firstErr = err
		}
	}
	inv.finish(ctx, fs, typ, gen, complete, hadPrev, nil)
	return firstErr
}

// syncChildren lists typ for every known object of parentType (except those whose
// dimension is excludeDim, e.g. DEPROVISIONED users). A parent that vanished meanwhile
// (404) is skipped; a failing parent keeps its children from being reported deleted; a
// 403 stops the type.
func (inv *Inventory) syncChildren(ctx context.Context, fs *fullSync, typ, parentType, excludeDim string, pathOf func(string) string) error {
	if !inv.Enabled(parentType) {
		return errors.New(typ + " needs " + parentType + " to be enabled")
	}
	if inv.skips.has(parentType) {
		// Without its parents' listing, every known child would look deleted.
		return fmt.Errorf("%w: its parent type %s was skipped", ErrTypeSkipped, parentType)
	}
	policyTypes := map[string]string{}
	if parentType == string(resource.Policy) {
		for id, v := range inv.state.valuesOf(string(resource.Policy)) {
			pt, _, _ := strings.Cut(v.Dim, "\x00")
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
		if oktaapi.Classify(err) == oktaapi.KindNotFound {
			continue // the parent is gone; its children are deleted with it
		}
		err = classify(err)
		skip[parent] = true
		if firstErr == nil {
			firstErr = err
		}
		if errors.Is(err, ErrTypeSkipped) {
			inv.finish(ctx, fs, typ, gen, false, hadPrev, nil)
			return err
		}
	}
	inv.finish(ctx, fs, typ, gen, true, hadPrev, skip)
	return firstErr
}

// adminGroupFlag is the field of a group (listed with expand=stats) that says it holds an admin
// role: such groups have their role assignments listed.
var adminGroupFlag = principal(resource.Lookup(resource.AdminRoleAssignment), resource.Group).Flag

// principal returns the entry of spec's principals of type t (a zero one when there is none).
func principal(spec *resource.Spec, t resource.Type) resource.Principal {
	for _, p := range spec.Principals {
		if p.Type == t {
			return p
		}
	}
	return resource.Principal{}
}

// syncAdminRoles lists admin role assignments through the table's principals: users that
// hold a role come from the IAM assignees listing (body-paginated), their roles from the
// user's role listing (assignments through a group are skipped there and listed with the
// group); groups with admin privilege (flagged by the groups' expand=stats, collected by the
// group listing of this sync) have theirs read from the group's role listing.
func (inv *Inventory) syncAdminRoles(ctx context.Context, fs *fullSync, spec *resource.Spec) error {
	typ := string(spec.Type)
	users, groupHolders := principal(spec, resource.User), principal(spec, resource.Group)
	gen, hadPrev := inv.state.beginSync(typ)
	skip := map[string]bool{}
	var admins []string
	err := inv.listAll(ctx, users.Holders.Request("", ""), users.Holders.BodyKey, func(items []map[string]any) error {
		for _, it := range items {
			if id := resource.Path("id").Text(it); id != "" {
				admins = append(admins, id)
			}
		}
		return nil
	})
	if err != nil {
		err = classify(err)
		inv.finish(ctx, fs, typ, gen, false, hadPrev, nil)
		return err
	}
	inv.mu.Lock()
	groups := append([]string(nil), inv.adminGrps...)
	inv.mu.Unlock()
	var firstErr error
	fetch := func(holder resource.Principal, id string) error {
		p := parentRef{id: id, principal: string(holder.Type)}
		err := inv.listAll(ctx, holder.List.Request(id, ""), "", func(items []map[string]any) error {
			for _, obj := range items {
				if holder.Skip != nil && holder.Skip.Field.Text(obj) == holder.Skip.Value {
					continue
				}
				inv.record(ctx, fs, typ, obj, p, gen, hadPrev)
			}
			return nil
		})
		if err != nil {
			if oktaapi.Classify(err) == oktaapi.KindNotFound {
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
		if err := fetch(users, id); errors.Is(err, ErrTypeSkipped) || ctx.Err() != nil {
			inv.finish(ctx, fs, typ, gen, false, hadPrev, nil)
			return err
		}
	}
	for _, id := range groups {
		if err := fetch(groupHolders, id); errors.Is(err, ErrTypeSkipped) || ctx.Err() != nil {
			inv.finish(ctx, fs, typ, gen, false, hadPrev, nil)
			return err
		}
	}
	inv.finish(ctx, fs, typ, gen, true, hadPrev, skip)
	return firstErr
}
