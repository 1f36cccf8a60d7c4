package oktasim

import (
	"math/rand/v2"
)

// Sample returns a random existing object as a System Log actor or target.
// kind is one of "user" (not deprovisioned), "admin" (a user holding a
// role), "group", "app", "policy", "zone", "api_token". ok is false when
// the org has no such object or kind is unknown.
func (o *orgStore) Sample(rng *rand.Rand, kind string) (EventTarget, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	pickFrom := func(list []*orgObj, accept func(*orgObj) bool) *orgObj {
		if len(list) == 0 {
			return nil
		}
		for range 16 {
			if obj := list[rng.IntN(len(list))]; accept == nil || accept(obj) {
				return obj
			}
		}
		for _, obj := range list {
			if accept(obj) {
				return obj
			}
		}
		return nil
	}
	switch kind {
	case "user":
		u := pickFrom(o.cols[typeUser].items, func(u *orgObj) bool { return u.status != "DEPROVISIONED" })
		return o.userTarget(u)
	case "admin":
		ra := pickFrom(o.cols[typeAdminRole].items, func(ra *orgObj) bool {
			u := o.cols[typeUser].byID[ra.parent]
			return u != nil && u.status == "ACTIVE"
		})
		if ra == nil {
			return EventTarget{}, false
		}
		return o.userTarget(o.cols[typeUser].byID[ra.parent])
	case "group":
		return orgTarget(pickFrom(o.cols[typeGroup].items, nil), "UserGroup", "")
	case "app":
		a := pickFrom(o.cols[typeApplication].items, nil)
		return orgTarget(a, "AppInstance", "")
	case "policy":
		return orgTarget(pickFrom(o.cols[typePolicy].items, nil), "PolicyEntity", "")
	case "zone":
		return orgTarget(pickFrom(o.cols[typeNetworkZone].items, nil), "NetworkZone", "")
	case "api_token":
		return orgTarget(pickFrom(o.cols[typeAPIToken].items, nil), "Token", "")
	}
	return EventTarget{}, false
}

func (o *orgStore) userTarget(u *orgObj) (EventTarget, bool) {
	if u == nil {
		return EventTarget{}, false
	}
	display := u.name
	if first, rest, ok := orgCut3(u.terms); ok {
		display = orgTitle(first) + " " + orgTitle(rest)
	}
	return EventTarget{ID: u.id, Type: "User", AlternateID: u.name, DisplayName: display}, true
}

func orgTarget(obj *orgObj, typ, alt string) (EventTarget, bool) {
	if obj == nil {
		return EventTarget{}, false
	}
	if alt == "" {
		alt = obj.name
	}
	return EventTarget{ID: obj.key(), Type: typ, AlternateID: alt, DisplayName: obj.name}, true
}

// orgCut3 splits a user's terms ("first\x00last\x00email") into first and last.
func orgCut3(terms string) (string, string, bool) {
	var parts [3]string
	n := 0
	start := 0
	for i := 0; i < len(terms) && n < 2; i++ {
		if terms[i] == 0 {
			parts[n] = terms[start:i]
			n++
			start = i + 1
		}
	}
	return parts[0], parts[1], n == 2
}

func orgTitle(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}
