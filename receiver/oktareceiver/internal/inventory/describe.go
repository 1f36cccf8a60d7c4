package inventory

import (
	"strings"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// parentRef names the object whose sub-list an object came from (a user's factors, an
// app's users, a policy's rules, ...). policyType is set for policies and their rules.
type parentRef struct {
	id         string
	policyType string
	// principal is "user" or "group" for admin role assignments.
	principal string
}

// keepsName reports whether the state keeps the names of typ's objects: they label metrics
// (members per group, users per application, rules per policy).
func keepsName(typ string) bool {
	spec := resource.Lookup(resource.Type(typ))
	return spec != nil && spec.KeepName
}

// describe extracts the record attributes and the state metadata of obj, an object of
// resource type typ as Okta returned it, as the type's entry of the resource table says: the
// record id by the id scheme (own, composite "<parent>/<own>", the org id for singletons), the
// name and status paths, the metric dimensions (joined by NUL), the count the state keeps,
// and the attributes naming related objects. The metadata's name is the record's
// okta.resource.name, which the metrics of the types that keep names carry.
func describe(typ string, obj map[string]any, p parentRef, orgID string) (inventoryRecord, objectMeta) {
	own := resource.Path("id").Text(obj)
	rec := inventoryRecord{
		typ:         typ,
		id:          own,
		lastUpdated: resource.Path("lastUpdated").Text(obj),
		body:        obj,
	}
	spec := resource.Lookup(resource.Type(typ))
	if spec == nil {
		rec.name, rec.status = resource.Path("name").Text(obj), resource.Path("status").Text(obj)
		return rec, objectMeta{name: rec.name}
	}
	rec.name, rec.status = spec.NamePath().Text(obj), spec.StatusPath().Text(obj)
	switch spec.ID {
	case resource.Composite:
		rec.id = p.id + "/" + own
	case resource.OrgID:
		rec.id = orgID
	case resource.OwnOrOrgID:
		if own == "" {
			rec.id = orgID
		}
	}
	var meta objectMeta
	if len(spec.Dims) > 0 {
		dims := make([]string, len(spec.Dims))
		for i, d := range spec.Dims {
			dims[i] = d.Text(obj)
		}
		meta.dim = strings.Join(dims, "\x00")
	}
	if spec.Count != "" {
		meta.value = spec.Count.Int(obj)
	}
	if spec.Parent != "" || len(spec.Principals) > 0 {
		meta.parent = p.id
	}
	for _, a := range spec.Attrs {
		key, value := a.Key, ""
		switch a.From {
		case resource.FromID:
			value = own
		case resource.FromParent:
			value = p.id
			if key == "" { // a parent of several types: the principal's own id attribute
				if holder := resource.Lookup(resource.Type(p.principal)); holder != nil {
					key = holder.IDAttr
				}
			}
		case resource.FromField:
			value = a.Path.Text(obj)
		case resource.FromParentDim:
			// The only such dimension is the policy type of a policy rule's policy, which the
			// listing of the rules passes along.
			value = p.policyType
		}
		rec.parents = append(rec.parents, [2]string{key, value})
	}
	meta.name = rec.name
	return rec, meta
}
