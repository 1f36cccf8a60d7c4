// Package resource is the table of the Okta resource types the receiver collects. For each
// type it says where Okta lists and serves its objects, how their records are identified and
// described, which System Log events change them, which OAuth scope reads them and where their
// secrets sit. The rest of the receiver reads this table instead of keeping facts about a type
// of its own: adding a type is adding one entry (and its golden file).
//
// The package imports nothing of the receiver's.
package resource

import (
	"net/url"
	"strconv"
	"strings"
)

// Type is a resource type: the value of okta.resource.type and the key of
// inventory.resources in the configuration.
type Type string

// Spec is everything the receiver knows about one resource type.
type Spec struct {
	// Type names the type.
	Type Type
	// DefaultDisabled types are collected only when the configuration enables them.
	DefaultDisabled bool
	// Aliases are other spellings of the type that users write; configuration errors suggest
	// Type for them.
	Aliases []string
	// Scope is the OAuth scope a service app needs to read the type.
	Scope string

	// Parent is the type whose objects this type is listed under ("" for a top-level type).
	// {parent} in the paths of a child type stands for the parent's id.
	Parent Type
	// SkipParents: parents whose metric dimensions are exactly this value are not asked for
	// their children (a DEPROVISIONED user has no factors to list).
	SkipParents string
	// Lists are the listings one full sync reads, in order.
	Lists []List
	// Kinds, when set, makes every listing one request per kind (policies: per policy type).
	Kinds *Kinds
	// Principals, when set, lists the type under each user and group that holds one (admin
	// role assignments); Lists is then empty.
	Principals []Principal
	// Get is the path of one object ({id}, and {parent} for a child type): what an
	// event-driven refetch reads. "" when the type is read through Principals.
	Get string
	// Incremental is the lastUpdated delta query ({since} in a query value), nil when Okta
	// offers none for the type (System Log events and full syncs cover it).
	Incremental *List

	// ID says how the record's okta.resource.id is made.
	ID IDScheme
	// Name and Status are the paths of okta.resource.name and okta.resource.status
	// ("name" and "status" when empty).
	Name, Status Path
	// Dims are the fields whose values are the object's metric dimensions, in the order of
	// the metric's attributes.
	Dims []Path
	// Count is a number the state keeps per object for a metric (a group's member count).
	Count Path
	// KeepName: the state keeps the object's name, which labels metrics (members per group,
	// users per application, rules per policy).
	KeepName bool
	// IDAttr is the record attribute that names an object of this type on the records of
	// related objects (okta.user.id for a user).
	IDAttr string
	// Attrs are the attributes naming related objects that the type's records carry.
	Attrs []Attr

	// Events are the System Log event families that change objects of the type.
	Events []EventRule
	// Secrets are the exact places of secrets in the type's objects: keys from the top of
	// the object separated by ".", "[]" after a key whose value is an array (every element).
	Secrets []string
	// Audited are the field paths whose values auditors read: the inventory state keeps them
	// (redacted) and change records carry them before and after (okta.change.values). A path
	// ending in ".*" names every field one level inside an object field (profile.email, ...),
	// the depth at which changes are named. Only a few types keep values: the state holds them
	// for every object, and the numerous child types (factors, memberships, assignments) are
	// audited by their creation and deletion, which the change type says.
	Audited []string
}

// IDScheme says how the okta.resource.id of a record is made.
type IDScheme int

const (
	// OwnID is the object's own id.
	OwnID IDScheme = iota
	// Composite is "<parent id>/<own id>": the object's own id is unique only under its parent
	// (a group member is the user object, an admin role assignment id repeats per principal).
	Composite
	// OrgID is the org's id: the type is one settings object per org.
	OrgID
	// OwnOrOrgID is the object's own id, or the org's id when the object has none.
	OwnOrOrgID
)

// List is one paginated listing of Okta.
type List struct {
	// Path is the endpoint; {parent} stands for the parent's id.
	Path string
	// PageSize is the `limit` of each request: the largest page Okta documents for the
	// endpoint, so that a full sync takes as few requests as Okta allows. 0: the endpoint
	// takes no limit (it answers the whole list, or pages on its own).
	PageSize int
	// Query holds further parameters, in order; {since} in a value stands for the time of an
	// incremental query.
	Query []Param
	// BodyKey, when set, says the answer is an object holding the items under this key, with
	// the next page in _links.next.href (the IAM APIs) instead of a Link header.
	BodyKey string
}

// Param is one query parameter.
type Param struct {
	Name, Value string
}

// Request returns the path and query of the listing: parent replaces {parent}, since
// replaces {since}, extra parameters follow the listing's own. Values are escaped.
func (l List) Request(parent, since string, extra ...Param) string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(l.Path, "{parent}", url.PathEscape(parent)))
	sep := byte('?')
	add := func(name, value string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(strings.ReplaceAll(value, "{since}", since)))
	}
	if l.PageSize > 0 {
		add("limit", strconv.Itoa(l.PageSize))
	}
	for _, p := range l.Query {
		add(p.Name, p.Value)
	}
	for _, p := range extra {
		add(p.Name, p.Value)
	}
	return b.String()
}

// Kinds makes a listing one request per kind: a query parameter whose values depend on the
// org's engine. A kind the org answers "not here" is skipped alone.
type Kinds struct {
	// Param is the query parameter that names the kind.
	Param string
	// Classic are the kinds every org serves.
	Classic []string
	// IdentityEngine are the kinds only Identity Engine orgs serve; they are asked unless
	// the org is known to be Classic.
	IdentityEngine []string
}

// For returns the kinds to ask an org for: Classic ones only when the org is known to be
// Classic, all of them otherwise.
func (k *Kinds) For(classic bool) []string {
	if classic {
		return k.Classic
	}
	return append(append([]string(nil), k.Classic...), k.IdentityEngine...)
}

// Principal is one kind of holder a Principals type is listed under.
type Principal struct {
	// Type is the holder's type (user or group); its ids are the parents.
	Type Type
	// Holders lists the holders' ids (the items' "id"); nil when Flag finds them instead.
	Holders *List
	// Flag is a field of the holder type's own objects that is true for a holder, read while
	// the holder type is listed.
	Flag Path
	// List is the listing under one holder ({parent}).
	List List
	// Get is the path of one object under a holder ({parent}, {id}).
	Get string
	// Skip drops listed items whose field has the value: they are listed under another
	// principal (a role a user holds through a group is listed with the group).
	Skip *Match
}

// Match is a field and the value it must have.
type Match struct {
	Field Path
	Value string
}

// Attr is one attribute naming a related object on a type's records.
type Attr struct {
	// Key is the attribute; "" (only with FromParent) means the IDAttr of the parent's type,
	// for types whose parent is of several types (a role's principal).
	Key string
	// From says where the value comes from.
	From AttrSource
	// Path is the field read by FromField.
	Path Path
	// Dim is the index of the parent's metric dimension read by FromParentDim.
	Dim int
}

// AttrSource says where an attribute's value comes from.
type AttrSource int

const (
	// FromID is the object's own id (for a composite id, the part after the parent's).
	FromID AttrSource = iota
	// FromParent is the parent's id.
	FromParent
	// FromField is the value at Attr.Path in the object.
	FromField
	// FromParentDim is a metric dimension of the parent, as the inventory state keeps it
	// (the policy type of a policy rule).
	FromParentDim
)

// EventRule maps one family of System Log event types to the objects they change.
type EventRule struct {
	// Prefix selects the event types; the rule with the longest matching prefix applies.
	Prefix string
	// Target is the LogEvent target type whose id names the object (with Children: the
	// parent whose list changed).
	Target string
	// ActorFallback: without such a target the actor is the object (a user enrolling a
	// factor of his own).
	ActorFallback bool
	// Children: the target is the parent; the type's list under it is read again.
	Children bool
	// ParentTarget is the target type naming the parent of a child object the event names
	// directly (the group of a group member).
	ParentTarget string
	// RemovedSuffix: event types ending with it say the object is gone; nothing is read.
	RemovedSuffix string
	// RefreshParent: the parent changed too and is read again (a group's member count).
	RefreshParent bool
}

// GetPath returns the path of one object of the type: parentType (for a type listed under
// principals) picks the holder, parent and id fill {parent} and {id}. "" when Okta serves no
// such path.
func (s *Spec) GetPath(parentType Type, parent, id string) string {
	tmpl := s.Get
	for _, p := range s.Principals {
		if p.Type == parentType {
			tmpl = p.Get
		}
	}
	if tmpl == "" {
		return ""
	}
	return strings.NewReplacer("{parent}", url.PathEscape(parent), "{id}", url.PathEscape(id)).Replace(tmpl)
}

// NamePath is the path of okta.resource.name.
func (s *Spec) NamePath() Path {
	if s.Name == "" {
		return "name"
	}
	return s.Name
}

// StatusPath is the path of okta.resource.status.
func (s *Spec) StatusPath() Path {
	if s.Status == "" {
		return "status"
	}
	return s.Status
}
