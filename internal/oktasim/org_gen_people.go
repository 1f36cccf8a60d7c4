package oktasim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// gen is the deterministic generator. It is also used by the control API to
// build the defaults of a created object (with its own rng).
type gen struct {
	rng    *rand.Rand
	now    int64 // unix ms; generated times lie before it
	engine string
	orgID  string
	// ids of objects other builders refer to.
	userTypeIDs []string
	everyoneID  string
}

const dayMs = int64(24 * 3600 * 1000)

func link(path string) map[string]any { return map[string]any{"href": orgURLPlaceholder + path} }

func linkAllow(path string, methods ...string) map[string]any {
	return map[string]any{"href": orgURLPlaceholder + path, "hints": map[string]any{"allow": methods}}
}

// mustJSON encodes generated values, which are always encodable.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("oktasim: encode generated object: %v", err))
	}
	return b
}

// pick returns a weighted choice: weights[i] is the weight of choices[i].
func pick[T any](rng *rand.Rand, choices []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

// ago returns a time between minDays and maxDays before now, in ms.
func (g *gen) ago(minDays, maxDays int) int64 {
	span := int64(maxDays-minDays) * dayMs
	if span <= 0 {
		span = 1
	}
	return g.now - int64(minDays)*dayMs - g.rng.Int64N(span)
}

// between returns a time in [from, to].
func (g *gen) between(from, to int64) int64 {
	if to <= from {
		return from
	}
	return from + g.rng.Int64N(to-from+1)
}

var userStatuses = []string{"ACTIVE", "STAGED", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "DEPROVISIONED"}
var userStatusWeights = []int{80, 3, 3, 1, 2, 2, 3, 6}

var firstNames = []string{"Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Yara", "Zoe", "Aiko", "Bruno", "Chen", "Dmitri", "Esme", "Farah", "Goran", "Hana", "Ines"}
var lastNames = []string{"Nguyen", "Smith", "Garcia", "Müller", "Rossi", "Kowalski", "Okafor", "Tanaka", "Silva", "Dubois", "Johansson", "Khan", "Novak", "Cohen", "Murphy", "Park", "Singh", "Haddad", "Ivanova", "Lopez"}
var departments = []string{"Engineering", "Platform", "Sales", "Marketing", "Finance", "HR", "Legal", "Support", "Security", "Operations"}
var titles = []string{"Engineer", "Senior Engineer", "Manager", "Director", "Analyst", "Specialist", "Consultant", "Administrator"}

type userJSON struct {
	ID              string            `json:"id"`
	Status          string            `json:"status"`
	Created         string            `json:"created"`
	Activated       *string           `json:"activated"`
	StatusChanged   *string           `json:"statusChanged"`
	LastLogin       *string           `json:"lastLogin"`
	LastUpdated     string            `json:"lastUpdated"`
	PasswordChanged *string           `json:"passwordChanged"`
	Type            map[string]string `json:"type"`
	Profile         map[string]any    `json:"profile"`
	Credentials     map[string]any    `json:"credentials"`
	Links           map[string]any    `json:"_links"`
}

func strp(ms int64) *string {
	s := msTime(ms)
	return &s
}

// buildUser generates user number i (i only makes the login unique).
func (g *gen) buildUser(i int, status string) *object {
	rng := g.rng
	id := newOktaID(rng, "00u")
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	login := strings.ToLower(asciiName(first)+"."+asciiName(last)) + "." + strconv.Itoa(i) + "@example.com"
	if status == "" {
		status = pick(rng, userStatuses, userStatusWeights)
	}
	created := g.ago(1, 1500)
	u := userJSON{ID: id, Status: status, Created: msTime(created)}
	last0 := created
	if status != "STAGED" {
		act := g.between(created, min(created+2*dayMs, g.now))
		if status != "PROVISIONED" {
			u.Activated = strp(act)
			pw := g.between(act, g.now)
			u.PasswordChanged = strp(pw)
			// Most active users signed in recently; some are dormant (>90 days).
			var login int64
			if rng.IntN(10) == 0 {
				login = g.between(act, max(act, g.now-120*dayMs))
			} else {
				login = g.between(max(act, g.now-14*dayMs), g.now)
			}
			u.LastLogin = strp(login)
			last0 = max(last0, pw)
		}
		sc := g.between(act, g.now)
		u.StatusChanged = strp(sc)
		last0 = max(last0, sc)
	}
	lastUpdated := g.between(last0, g.now)
	u.LastUpdated = msTime(lastUpdated)
	typeID := g.userTypeIDs[0]
	userType := "Employee"
	if rng.IntN(8) == 0 && len(g.userTypeIDs) > 1 {
		typeID, userType = g.userTypeIDs[1], "Contractor"
	}
	u.Type = map[string]string{"id": typeID}
	dept := departments[rng.IntN(len(departments))]
	u.Profile = map[string]any{
		"firstName": first, "lastName": last, "displayName": first + " " + last,
		"login": login, "email": login, "secondEmail": nil, "mobilePhone": nil,
		"title": titles[rng.IntN(len(titles))], "department": dept,
		"employeeNumber": strconv.Itoa(10000 + i), "userType": userType,
		"organization": "Example Corp", "countryCode": []string{"US", "GB", "DE", "FR", "JP", "BR"}[rng.IntN(6)],
	}
	provider := pick(rng, []string{"OKTA", "ACTIVE_DIRECTORY", "FEDERATION"}, []int{80, 15, 5})
	providerName := provider
	if provider == "ACTIVE_DIRECTORY" {
		providerName = "corp.example.com"
	}
	creds := map[string]any{"provider": map[string]any{"type": provider, "name": providerName}}
	if provider == "OKTA" && status != "STAGED" {
		creds["password"] = map[string]any{}
		creds["recovery_question"] = map[string]any{"question": "Name of your first pet?"}
	}
	u.Credentials = creds
	u.Links = map[string]any{
		"self":   link("/api/v1/users/" + id),
		"type":   link("/api/v1/meta/types/user/" + typeID),
		"schema": link("/api/v1/meta/schemas/user/osc" + typeID[3:]),
	}
	return &object{
		id: id, status: status, kind: typeID, name: login,
		terms:   userTerms(first, last, login),
		created: created, lastUpdated: lastUpdated, raw: mustJSON(u),
	}
}

func userTerms(first, last, email string) string {
	return strings.ToLower(first + "\x00" + last + "\x00" + email)
}

// asciiName keeps logins ASCII ("Müller" -> "muller").
func asciiName(s string) string {
	r := strings.NewReplacer("ü", "u", "ö", "o", "ä", "a", "é", "e")
	return r.Replace(s)
}

var factorTypes = []string{"push", "token:software:totp", "sms", "email", "webauthn", "call", "question", "signed_nonce", "token:hardware"}
var factorWeights = []int{40, 20, 20, 10, 8, 2, 5, 5, 1}
var factorPrefix = map[string]string{
	"push": "opf", "token:software:totp": "ost", "sms": "mbl", "email": "emf", "webauthn": "fwf",
	"call": "clf", "question": "ufs", "signed_nonce": "crp", "token:hardware": "ykf", "token:hotp": "chf",
	"token": "rsa", "u2f": "fuf", "web": "dsf",
}

// factorProvider is the provider of a generated factor type.
func factorProvider(ft string) string {
	switch ft {
	case "token:software:totp":
		return "GOOGLE"
	case "webauthn":
		return "FIDO"
	case "token:hardware":
		return "YUBICO"
	}
	return "OKTA"
}

// buildFactors generates the factors of a user (rendered lazily; see
// renderFactor). STAGED, PROVISIONED and DEPROVISIONED users have none.
func (g *gen) buildFactors(user *object) []*object {
	switch user.status {
	case "STAGED", "PROVISIONED", "DEPROVISIONED":
		return nil
	}
	rng := g.rng
	n := pick(rng, []int{0, 1, 2, 3}, []int{10, 40, 35, 15})
	seen := map[string]bool{}
	var out []*object
	for range n {
		ft := pick(rng, factorTypes, factorWeights)
		if seen[ft] || (ft == "signed_nonce" && g.engine != engineOIE) {
			continue
		}
		seen[ft] = true
		status := pick(rng, []string{"ACTIVE", "PENDING_ACTIVATION", "INACTIVE", "NOT_SETUP"}, []int{85, 8, 5, 2})
		created := g.between(user.created, g.now)
		out = append(out, &object{
			id: newOktaID(rng, factorPrefix[ft]), parent: user.id, status: status, kind: ft,
			name: factorProvider(ft), created: created, lastUpdated: g.between(created, g.now),
		})
	}
	return out
}

// buildUserType generates a user type ("oty…").
func (g *gen) buildUserType(name, display string, isDefault bool, creator string) *object {
	id := newOktaID(g.rng, "oty")
	created := g.ago(900, 1600)
	lu := g.between(created, g.now)
	v := map[string]any{
		"id": id, "name": name, "displayName": display, "description": display + " user type",
		"default": isDefault, "created": msTime(created), "createdBy": creator,
		"lastUpdated": msTime(lu), "lastUpdatedBy": creator,
		"_links": map[string]any{
			"self":   linkAllow("/api/v1/meta/types/user/"+id, "GET", "PUT", "DELETE"),
			"schema": linkAllow("/api/v1/meta/schemas/user/osc"+id[3:], "GET"),
		},
	}
	return &object{id: id, status: "ACTIVE", kind: name, name: display, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: mustJSON(v)}
}
