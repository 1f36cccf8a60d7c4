package oktasim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"time"
)

// generator builds realistic LogEvents. Actors and targets are real objects
// of the org (orgStore.Sample); when the org cannot supply one (an empty
// org, an unknown kind) a synthetic stand-in is used so every event is
// complete. Deterministic for a given seed and call sequence.
type generator struct {
	mu  sync.Mutex
	rng *rand.Rand
	org *orgStore

	users, services, hostile []*netProfile
	cumulative               []int
	totalWeight              int

	fallback  map[string][]EventTarget
	dashboard EventTarget
	authzID   string
}

var targetTypeByKind = map[string]string{
	"user": "User", "admin": "User", "group": "UserGroup", "app": "AppInstance",
	"policy": "PolicyEntity", "zone": "NetworkZone", "api_token": "Token",
}

var idPrefixByKind = map[string]string{
	"user": "00u", "admin": "00u", "group": "00g", "app": "0oa",
	"policy": "00p", "zone": "nzo", "api_token": "00T",
}

var fallbackFirstNames = []string{"Alex", "Blake", "Casey", "Dana", "Emery", "Finley", "Harper", "Jordan", "Kai", "Logan", "Morgan", "Quinn", "Riley", "Sage", "Taylor", "Rowan"}
var fallbackLastNames = []string{"Nguyen", "Ortiz", "Patel", "Schmidt", "Kowalski", "Okafor", "Tanaka", "Silva", "Moreau", "Larsen"}

func newGenerator(seed uint64, org *orgStore) *generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &generator{rng: rng, org: org, fallback: map[string][]EventTarget{}}
	serviceApp := newOktaID(rng, "0oa")
	g.users, g.services, g.hostile = buildProfiles(rng, serviceApp)
	for _, k := range eventCatalog {
		g.totalWeight += k.weight
		g.cumulative = append(g.cumulative, g.totalWeight)
	}
	g.dashboard = EventTarget{ID: newOktaID(rng, "0oa"), Type: "AppInstance", AlternateID: "Okta Dashboard", DisplayName: "Okta Dashboard"}
	g.authzID = newOktaID(rng, "aus")
	// Fixed iteration orders (never a map's) keep the rng sequence, and so
	// every generated id, the same for a given seed.
	for _, kind := range []string{"user", "admin"} {
		prefix := idPrefixByKind[kind]
		for i := range 64 {
			first, last := fallbackFirstNames[rng.IntN(len(fallbackFirstNames))], fallbackLastNames[rng.IntN(len(fallbackLastNames))]
			g.fallback[kind] = append(g.fallback[kind], EventTarget{
				ID: newOktaID(rng, prefix), Type: "User",
				AlternateID: fmt.Sprintf("%s.%s%d@example.com", lower(first), lower(last), i),
				DisplayName: first + " " + last,
			})
		}
	}
	names := []struct {
		kind  string
		names []string
	}{
		{"group", []string{"Engineering", "Finance", "Sales", "Support", "Contractors", "VPN Users"}},
		{"app", []string{"Example Wiki", "Example CRM", "Example Mail", "Example VPN", "Example HR"}},
		{"policy", []string{"Default Policy", "Contractor Sign-On", "Admin MFA"}},
		{"zone", []string{"BlockedIpZone", "LegacyIpZone", "Office Networks"}},
		{"api_token", []string{"otel-collector", "terraform", "scim-bridge"}},
	}
	for _, group := range names {
		kind := group.kind
		for _, n := range group.names {
			g.fallback[kind] = append(g.fallback[kind], EventTarget{
				ID: newOktaID(rng, idPrefixByKind[kind]), Type: targetTypeByKind[kind], AlternateID: n, DisplayName: n,
			})
		}
	}
	return g
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// sample returns an org object of the given kind, or a synthetic one.
func (g *generator) sample(kind string) EventTarget {
	if g.org != nil {
		if t, ok := g.org.Sample(g.rng, kind); ok && t.ID != "" {
			if t.Type == "" {
				t.Type = targetTypeByKind[kind]
			}
			return t
		}
	}
	pool := g.fallback[kind]
	if len(pool) == 0 {
		pool = g.fallback["user"]
	}
	return pool[g.rng.IntN(len(pool))]
}

// uuid returns a random (version 4 layout) UUID drawn from the seeded rng.
func (g *generator) uuid() string {
	var b [36]byte
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000         // version 4
	lo = lo&^(0xc<<60) | (0x8 << 60) // RFC 4122 variant
	words := [2]uint64{hi, lo}
	j := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[j] = '-'
			j++
		}
		w := words[i/16]
		shift := uint(60 - 4*(i%16))
		b[j] = jsonHex[(w>>shift)&0xf]
		j++
	}
	return string(b[:])
}

// randomAlnum returns n characters of idAlphabet drawn from the rng.
func (g *generator) randomAlnum(n int) string {
	b := make([]byte, n)
	for i := 0; i < n; {
		v := g.rng.Uint64()
		for k := 0; k < 10 && i < n; k++ {
			b[i] = idAlphabet[v%62]
			v /= 62
			i++
		}
	}
	return string(b)
}

// hashAlnum derives n stable characters from parts (session ids, enrollment
// ids): the same user gets the same session within a time bucket.
func hashAlnum(prefix string, n int, parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	v := h.Sum64()
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	for len(b) < len(prefix)+n {
		if v == 0 {
			v = h.Sum64() * 0x9e3779b97f4a7c15
		}
		b = append(b, idAlphabet[v%62])
		v /= 62
	}
	return string(b)
}

func hashHex(n int, parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
	}
	v := h.Sum64()
	b := make([]byte, n)
	for i := range b {
		b[i] = jsonHex[v&0xf]
		v = v>>4 | v<<60
		if i%16 == 15 {
			v = v*0x9e3779b97f4a7c15 + 1
		}
	}
	return string(b)
}

func (g *generator) homeProfile(userID string) *netProfile {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	return g.users[int(h.Sum32())%len(g.users)]
}

func (g *generator) pick(pool []*netProfile) *netProfile { return pool[g.rng.IntN(len(pool))] }

// session fills the session correlation ids: one session per user and
// eight-hour bucket.
func (g *generator) session(e *genEvent) {
	bucket := fmt.Sprint(e.published.Unix() / (8 * 3600))
	e.externalSessionID = hashAlnum("idx", 22, e.actor.ID, bucket)
	e.rootSessionID = e.externalSessionID
}

// base fills what every event has.
func (g *generator) base(e *genEvent, now time.Time) {
	e.uuid = g.uuid()
	e.published = now
	e.severity = "INFO"
	e.outcome = "SUCCESS"
	e.txType = "WEB"
	e.txID = g.randomAlnum(23)
	e.requestURI = "/api/v1/internal"
}

// next generates one event published at now.
func (g *generator) next(now time.Time) genEvent {
	var e genEvent
	g.base(&e, now)
	r := g.rng.IntN(g.totalWeight)
	k := 0
	for g.cumulative[k] <= r {
		k++
	}
	kind := &eventCatalog[k]
	e.eventType, e.legacyEventType, e.displayMessage = kind.eventType, kind.legacy, kind.display
	kind.fill(g, &e)
	if e.profile == nil {
		e.profile = g.homeProfile(e.actor.ID)
	}
	return e
}

// fromSpec builds the event a mutation (or an injected spec) describes,
// filling every field the spec leaves out.
func (g *generator) fromSpec(spec EventSpec, now time.Time) genEvent {
	var e genEvent
	g.base(&e, now)
	e.eventType = spec.EventType
	e.displayMessage = spec.DisplayMessage
	if e.displayMessage == "" {
		e.displayMessage = displayForType(spec.EventType)
	}
	if spec.Actor != nil {
		e.actor = *spec.Actor
		if e.actor.Type == "" {
			e.actor.Type = "User"
		}
	} else {
		e.actor = g.sample("admin")
	}
	e.targets = append([]EventTarget(nil), spec.Targets...)
	if spec.Outcome != "" {
		e.outcome = spec.Outcome
	}
	e.reason = spec.Reason
	if spec.Severity != "" {
		e.severity = spec.Severity
	}
	e.profile = g.pick(g.services)
	e.apiTokenID = g.sample("api_token").ID
	g.session(&e)
	e.requestURI = "/api/v1/" + resourcePathForType(spec.EventType)
	if len(e.targets) > 0 {
		e.requestURI += "/" + e.targets[0].ID
	}
	return e
}

func displayForType(eventType string) string {
	for _, k := range eventCatalog {
		if k.eventType == eventType {
			return k.display
		}
	}
	return eventType
}

func resourcePathForType(eventType string) string {
	switch {
	case hasPrefix(eventType, "user."):
		return "users"
	case hasPrefix(eventType, "group."):
		return "groups"
	case hasPrefix(eventType, "application."):
		return "apps"
	case hasPrefix(eventType, "policy."):
		return "policies"
	case hasPrefix(eventType, "zone."), hasPrefix(eventType, "security.zone."):
		return "zones"
	case hasPrefix(eventType, "system.api_token."):
		return "api-tokens"
	case hasPrefix(eventType, "event_hook."):
		return "eventHooks"
	}
	return "org"
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
