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
type orgGen struct {
	rng    *rand.Rand
	now    int64 // unix ms; generated times lie before it
	engine string
	orgID  string
	// ids of objects other builders refer to.
	userTypeIDs []string
	everyoneID  string
}

const orgDayMs = int64(24 * 3600 * 1000)

func orgLink(path string) map[string]any { return map[string]any{"href": orgURLPlaceholder + path} }

func orgLinkAllow(path string, methods ...string) map[string]any {
	return map[string]any{"href": orgURLPlaceholder + path, "hints": map[string]any{"allow": methods}}
}

// orgMustJSON encodes generated values, which are always encodable.
func orgMustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("oktasim: encode generated object: %v", err))
	}
	return b
}

// orgPick returns a weighted choice: weights[i] is the weight of choices[i].
func orgPick[T any](rng *rand.Rand, choices []T, weights []int) T {
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
func (g *orgGen) ago(minDays, maxDays int) int64 {
	span := int64(maxDays-minDays) * orgDayMs
	if span <= 0 {
		span = 1
	}
	return g.now - int64(minDays)*orgDayMs - g.rng.Int64N(span)
}

// between returns a time in [from, to].
func (g *orgGen) between(from, to int64) int64 {
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

type orgUserJSON struct {
	ID              string            `json:"id"`
	Status          string            `json:"status"`
	Created         string            `json:"created"`
	Activated       *string           `json:"activated"`
	StatusChanged   *string           `json:"statusChanged"`
	LastLogin       *string           `json:"lastLogin"`
	LastUpdated     string            `json:"lastUpdated"`
	PasswordChanged *string           `json:"passwordChanged"`
	Type            map[string]string `json:"type"`
	Profile         orgUserProfile    `json:"profile"`
	Credentials     map[string]any    `json:"credentials"`
	Links           map[string]any    `json:"_links"`
}

func orgStrp(ms int64) *string {
	s := orgMsTime(ms)
	return &s
}

// buildUser generates user number i (i only makes the login unique).
func (g *orgGen) buildUser(i int, status string) *orgObj {
	rng := g.rng
	id := newOktaID(rng, "00u")
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	login := strings.ToLower(orgASCIIName(first)+"."+orgASCIIName(last)) + "." + strconv.Itoa(i) + "@example.com"
	if status == "" {
		status = orgPick(rng, userStatuses, userStatusWeights)
	}
	created := g.ago(1, 1500)
	u := orgUserJSON{ID: id, Status: status, Created: orgMsTime(created)}
	last0 := created
	if status != "STAGED" {
		act := g.between(created, min(created+2*orgDayMs, g.now))
		if status != "PROVISIONED" {
			u.Activated = orgStrp(act)
			pw := g.between(act, g.now)
			u.PasswordChanged = orgStrp(pw)
			// Most active users signed in recently; some are dormant (>90 days).
			var login int64
			if rng.IntN(10) == 0 {
				login = g.between(act, max(act, g.now-120*orgDayMs))
			} else {
				login = g.between(max(act, g.now-14*orgDayMs), g.now)
			}
			u.LastLogin = orgStrp(login)
			last0 = max(last0, pw)
		}
		sc := g.between(act, g.now)
		u.StatusChanged = orgStrp(sc)
		last0 = max(last0, sc)
	}
	lastUpdated := g.between(last0, g.now)
	u.LastUpdated = orgMsTime(lastUpdated)
	typeID := g.userTypeIDs[0]
	userType := "Employee"
	if rng.IntN(8) == 0 && len(g.userTypeIDs) > 1 {
		typeID, userType = g.userTypeIDs[1], "Contractor"
	}
	u.Type = map[string]string{"id": typeID}
	dept := departments[rng.IntN(len(departments))]
	u.Profile = orgUserProfile{
		FirstName: first, LastName: last, DisplayName: first + " " + last,
		Login: login, Email: login,
		Title: titles[rng.IntN(len(titles))], Department: dept,
		EmployeeNumber: strconv.Itoa(10000 + i), UserType: userType,
		Organization: "Example Corp", CountryCode: []string{"US", "GB", "DE", "FR", "JP", "BR"}[rng.IntN(6)],
	}
	provider := orgPick(rng, []string{"OKTA", "ACTIVE_DIRECTORY", "FEDERATION"}, []int{80, 15, 5})
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
		"self":   orgLink("/api/v1/users/" + id),
		"type":   orgLink("/api/v1/meta/types/user/" + typeID),
		"schema": orgLink("/api/v1/meta/schemas/user/osc" + typeID[3:]),
	}
	return &orgObj{
		id: id, status: status, kind: typeID, name: login,
		terms:   orgUserTerms(first, last, login),
		created: created, lastUpdated: lastUpdated, raw: orgMustJSON(u),
	}
}

func orgUserTerms(first, last, email string) string {
	return strings.ToLower(first + "\x00" + last + "\x00" + email)
}

// orgASCIIName keeps logins ASCII ("Müller" -> "muller").
func orgASCIIName(s string) string {
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
func (g *orgGen) buildFactors(user *orgObj) []*orgObj {
	switch user.status {
	case "STAGED", "PROVISIONED", "DEPROVISIONED":
		return nil
	}
	rng := g.rng
	n := orgPick(rng, []int{0, 1, 2, 3}, []int{10, 40, 35, 15})
	seen := map[string]bool{}
	var out []*orgObj
	for range n {
		ft := orgPick(rng, factorTypes, factorWeights)
		if seen[ft] || (ft == "signed_nonce" && g.engine != engineOIE) {
			continue
		}
		seen[ft] = true
		status := orgPick(rng, []string{"ACTIVE", "PENDING_ACTIVATION", "INACTIVE", "NOT_SETUP"}, []int{85, 8, 5, 2})
		created := g.between(user.created, g.now)
		out = append(out, &orgObj{
			id: newOktaID(rng, factorPrefix[ft]), parent: user.id, status: status, kind: ft,
			name: factorProvider(ft), created: created, lastUpdated: g.between(created, g.now),
		})
	}
	return out
}

// buildUserType generates a user type ("oty…").
func (g *orgGen) buildUserType(name, display string, isDefault bool, creator string) *orgObj {
	id := newOktaID(g.rng, "oty")
	created := g.ago(900, 1600)
	lu := g.between(created, g.now)
	v := map[string]any{
		"id": id, "name": name, "displayName": display, "description": display + " user type",
		"default": isDefault, "created": orgMsTime(created), "createdBy": creator,
		"lastUpdated": orgMsTime(lu), "lastUpdatedBy": creator,
		"_links": map[string]any{
			"self":   orgLinkAllow("/api/v1/meta/types/user/"+id, "GET", "PUT", "DELETE"),
			"schema": orgLinkAllow("/api/v1/meta/schemas/user/osc"+id[3:], "GET"),
		},
	}
	return &orgObj{id: id, status: "ACTIVE", kind: name, name: display, terms: strings.ToLower(name), created: created, lastUpdated: lu, raw: orgMustJSON(v)}
}

// orgUserProfile is the generated part of a user's profile (a struct:
// encoding 100k of them is much cheaper than maps).
type orgUserProfile struct {
	FirstName      string  `json:"firstName"`
	LastName       string  `json:"lastName"`
	DisplayName    string  `json:"displayName"`
	Login          string  `json:"login"`
	Email          string  `json:"email"`
	SecondEmail    *string `json:"secondEmail"`
	MobilePhone    *string `json:"mobilePhone"`
	Title          string  `json:"title"`
	Department     string  `json:"department"`
	EmployeeNumber string  `json:"employeeNumber"`
	UserType       string  `json:"userType"`
	Organization   string  `json:"organization"`
	CountryCode    string  `json:"countryCode"`
}
