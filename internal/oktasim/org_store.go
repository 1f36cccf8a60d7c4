package oktasim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// orgURLPlaceholder stands for the org URL inside stored JSON. Responses
// replace it with baseURL(r), so that _links are absolute URLs of whatever
// address the client used.
const orgURLPlaceholder = "@@ORG@@"

// Resource type names of the data contract (the okta.resource.type values the receiver emits).
const (
	typeUser             = "user"
	typeGroup            = "group"
	typeGroupMembership  = "group_membership"
	typeGroupRule        = "group_rule"
	typeApplication      = "application"
	typeApplicationUser  = "application_user"
	typeApplicationGroup = "application_group"
	typePolicy           = "policy"
	typePolicyRule       = "policy_rule"
	typeUserFactor       = "user_factor"
	typeAuthenticator    = "authenticator"
	typeAuthServer       = "authorization_server"
	typeIdentityProvider = "identity_provider"
	typeNetworkZone      = "network_zone"
	typeTrustedOrigin    = "trusted_origin"
	typeUserType         = "user_type"
	typeAdminRole        = "admin_role_assignment"
	typeAPIToken         = "api_token"
	typeEventHook        = "event_hook"
	typeLogStream        = "log_stream"
	typeOrg              = "org"
	typeOktaSupport      = "okta_support"
	typeFeature          = "feature"
	typeThreatInsight    = "threat_insight"
)

// resourceTypes lists every resource type in a stable order.
var resourceTypes = []string{
	typeUser, typeGroup, typeGroupMembership, typeGroupRule, typeApplication, typeApplicationUser,
	typeApplicationGroup, typePolicy, typePolicyRule, typeUserFactor, typeAuthenticator, typeAuthServer,
	typeIdentityProvider, typeNetworkZone, typeTrustedOrigin, typeUserType, typeAdminRole, typeAPIToken,
	typeEventHook, typeLogStream, typeOrg, typeOktaSupport, typeFeature, typeThreatInsight,
}

// object is one stored resource. Hot fields (used by filters, pagination
// and counts) are plain struct fields; the rest of the object lives in raw,
// its JSON encoding with orgURLPlaceholder in place of the org URL. Objects
// whose raw is nil (app users, app groups, factors, memberships) are
// rendered from their fields by the type's renderer, which keeps a
// 100k-user org small.
type orgObj struct {
	seq         uint64 // insertion order; the pagination cursor is built from it
	id          string // own id; "" for relation types (see key)
	parent      string // owning object: app, group, policy, user or role principal
	ref         string // other end of a relation: user or group id
	status      string
	kind        string // type, signOnMode, factorType, role type ...
	name        string // login, name or label
	terms       string // lowercase words for q prefix search, "\x00"-separated
	created     int64  // unix ms
	lastUpdated int64  // unix ms
	raw         []byte
}

// key is the object's id in the data contract: its own id, or
// "<parent>/<ref>" for relations.
func (o *orgObj) key() string {
	if o.id != "" {
		return o.id
	}
	return o.parent + "/" + o.ref
}

// collection holds every object of one resource type, ordered by seq.
type orgCollection struct {
	items    []*orgObj
	byID     map[string]*orgObj   // by key()
	byParent map[string][]*orgObj // children of a parent, ordered by seq
	byRef    map[string][]*orgObj // relations by their ref (user -> memberships)
}

func newOrgCollection() *orgCollection {
	return &orgCollection{byID: map[string]*orgObj{}, byParent: map[string][]*orgObj{}, byRef: map[string][]*orgObj{}}
}

func (c *orgCollection) add(o *orgObj) {
	c.items = append(c.items, o)
	c.byID[o.key()] = o
	if o.parent != "" {
		c.byParent[o.parent] = append(c.byParent[o.parent], o)
	}
	if o.ref != "" {
		c.byRef[o.ref] = append(c.byRef[o.ref], o)
	}
}

func orgRemoveObject(list []*orgObj, o *orgObj) []*orgObj {
	i := sort.Search(len(list), func(i int) bool { return list[i].seq >= o.seq })
	if i < len(list) && list[i] == o {
		return slices.Delete(list, i, i+1)
	}
	return list
}

func (c *orgCollection) remove(o *orgObj) {
	c.items = orgRemoveObject(c.items, o)
	delete(c.byID, o.key())
	if o.parent != "" {
		if l := orgRemoveObject(c.byParent[o.parent], o); len(l) > 0 {
			c.byParent[o.parent] = l
		} else {
			delete(c.byParent, o.parent)
		}
	}
	if o.ref != "" {
		if l := orgRemoveObject(c.byRef[o.ref], o); len(l) > 0 {
			c.byRef[o.ref] = l
		} else {
			delete(c.byRef, o.ref)
		}
	}
}

// orgStore is the simulated org's data. Every method is safe for
// concurrent use: reads take mu.RLock, control-API mutations mu.Lock.
type orgStore struct {
	opts  OrgOptions
	orgID string
	// epoch is the generator's "now": generated timestamps lie before it.
	epoch time.Time

	mu    sync.RWMutex
	seq   uint64
	cols  map[string]*orgCollection
	clock func() time.Time
	// lastMs keeps lastUpdated strictly increasing under mutation, so that
	// lastUpdated gt "<previous value>" always finds the change.
	lastMs int64

	// The custom IAM role (served by /api/v1/iam/roles) and its resource set.
	customRoleID      string
	resourceSetID     string
	customRoleCreated int64

	// ctlRng draws the ids of objects the control API creates.
	ctlRng *rand.Rand
}

// nextSeq returns a fresh insertion sequence number (callers hold mu).
func (o *orgStore) nextSeq() uint64 {
	o.seq++
	return o.seq
}

// nowMs returns the mutation time in unix ms, strictly increasing.
func (o *orgStore) nowMs() int64 {
	ms := o.clock().UnixMilli()
	if ms <= o.lastMs {
		ms = o.lastMs + 1
	}
	o.lastMs = ms
	return ms
}

// OrgID is the org's id ("00o…").
func (o *orgStore) OrgID() string { return o.orgID }

// orgCursorFor encodes an opaque pagination cursor for the position after o.
func orgCursorFor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sim1:" + strconv.FormatUint(seq, 10)))
}

var errOrgBadCursor = errors.New("invalid after cursor")

// orgParseCursor decodes an after cursor; "" means the start.
func orgParseCursor(after string) (uint64, error) {
	if after == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return 0, errOrgBadCursor
	}
	s, ok := strings.CutPrefix(string(b), "sim1:")
	if !ok {
		return 0, errOrgBadCursor
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errOrgBadCursor
	}
	return n, nil
}

// orgStartAt returns the index of the first object after seq.
func orgStartAt(list []*orgObj, seq uint64) int {
	return sort.Search(len(list), func(i int) bool { return list[i].seq > seq })
}

func orgMsTime(ms int64) string { return oktaTime(time.UnixMilli(ms)) }

func orgParseOktaTime(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an RFC 3339 date-time", s)
	}
	return t.UnixMilli(), nil
}

func orgItoa(i int) string { return strconv.Itoa(i) }
