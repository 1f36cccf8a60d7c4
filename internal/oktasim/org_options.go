package oktasim

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"
)

// Engines an org can run.
const (
	engineClassic = "classic"
	engineOIE     = "oie"
)

// OrgOptions describes the generated org. The same options (and seed) always
// produce the same org: same ids, same names, same relationships, and the
// same timestamps relative to Now.
type OrgOptions struct {
	// Seed drives every random choice of the generator.
	Seed int64
	// Users, Groups and Apps are the sizes of the three big collections.
	// Groups includes the built-in Everyone group.
	Users  int
	Groups int
	Apps   int
	// Engine is "classic" (Okta Classic Engine, /.well-known pipeline "v1")
	// or "oie" (Identity Engine, pipeline "idx").
	Engine string
	// SuperAdmins is the number of users holding SUPER_ADMIN (0: derived
	// from the org size, at least 3).
	SuperAdmins int
	// GroupsPerUser is the mean number of groups (besides Everyone) a user
	// belongs to; AppsPerUser the mean number of direct app assignments.
	GroupsPerUser float64
	AppsPerUser   float64
	// Now is the generator's "now": every generated timestamp lies before
	// it. Zero means the start of the current UTC day, which keeps one
	// day's runs identical.
	Now time.Time
	// ClassicAuthenticators is how a Classic org answers
	// /api/v1/authenticators (Identity Engine orgs always list theirs). Okta
	// documents no Classic behaviour; a Classic org we read listed five
	// authenticators, so ClassicAuthenticatorsList ("list", also for "") is
	// the default. An error code makes it answer with that Okta error
	// instead (see classicAuthenticatorErrors) and hold no authenticators.
	ClassicAuthenticators string
}

// ClassicAuthenticatorsList makes a Classic org list its authenticators.
const ClassicAuthenticatorsList = "list"

// classicAuthenticatorErrors are the answers a Classic org can be told to
// give /api/v1/authenticators instead of the list: the "not here" errors of
// Okta's catalog, with their status and errorSummary.
var classicAuthenticatorErrors = map[string]struct {
	status  int
	summary string
}{
	"E0000002": {http.StatusBadRequest, "The request was not valid: authenticators are not available on this org"},
	"E0000015": {http.StatusUnauthorized, "You do not have permission to access the feature you are requesting"},
	"E0000007": {http.StatusNotFound, "Not found: Resource not found: authenticators (Authenticator)"},
	"E0000008": {http.StatusNotFound, "The requested path was not found"},
}

// listsAuthenticators reports whether the org serves /api/v1/authenticators.
func (o OrgOptions) listsAuthenticators() bool {
	return o.Engine == engineOIE || o.ClassicAuthenticators == "" || o.ClassicAuthenticators == ClassicAuthenticatorsList
}

// DefaultOrgOptions is a small org that starts in well under two seconds.
func DefaultOrgOptions() OrgOptions {
	return OrgOptions{Seed: 1, Users: 500, Groups: 60, Apps: 40, Engine: engineOIE, GroupsPerUser: 2.5, AppsPerUser: 2}
}

// RegisterFlags registers the org-generation flags on fs.
func (o *OrgOptions) RegisterFlags(fs *flag.FlagSet) {
	fs.Int64Var(&o.Seed, "seed", o.Seed, "seed of the deterministic org generator (same seed, same org)")
	fs.IntVar(&o.Users, "users", o.Users, "number of users to generate (every status is represented)")
	fs.IntVar(&o.Groups, "groups", o.Groups, "number of groups to generate, including the built-in Everyone group")
	fs.IntVar(&o.Apps, "apps", o.Apps, "number of applications to generate")
	fs.StringVar(&o.Engine, "engine", o.Engine, "org engine: classic (Classic Engine) or oie (Identity Engine)")
	fs.IntVar(&o.SuperAdmins, "super-admins", o.SuperAdmins, "number of users holding SUPER_ADMIN (0: derived from --users, at least 3)")
	fs.Float64Var(&o.GroupsPerUser, "groups-per-user", o.GroupsPerUser, "mean number of groups a user belongs to, besides Everyone")
	fs.Float64Var(&o.AppsPerUser, "apps-per-user", o.AppsPerUser, "mean number of direct application assignments per user")
	fs.StringVar(&o.ClassicAuthenticators, "classic-authenticators", ClassicAuthenticatorsList,
		"how a classic org answers /api/v1/authenticators: list, or the Okta error E0000002 (400), E0000015 (401), E0000007 or E0000008 (404)")
}

// validate checks the options, naming the first bad one.
func (o OrgOptions) validate() error {
	var errs []error
	if o.Users < 1 {
		errs = append(errs, fmt.Errorf("users: must be at least 1, got %d", o.Users))
	}
	if o.Groups < 1 {
		errs = append(errs, fmt.Errorf("groups: must be at least 1 (Everyone), got %d", o.Groups))
	}
	if o.Apps < 1 {
		errs = append(errs, fmt.Errorf("apps: must be at least 1, got %d", o.Apps))
	}
	if o.Engine != engineClassic && o.Engine != engineOIE {
		errs = append(errs, fmt.Errorf("engine: must be %q or %q, got %q", engineClassic, engineOIE, o.Engine))
	}
	if _, isErr := classicAuthenticatorErrors[o.ClassicAuthenticators]; !isErr &&
		o.ClassicAuthenticators != "" && o.ClassicAuthenticators != ClassicAuthenticatorsList {
		errs = append(errs, fmt.Errorf("classic-authenticators: must be %q, E0000002, E0000015, E0000007 or E0000008, got %q",
			ClassicAuthenticatorsList, o.ClassicAuthenticators))
	}
	if o.SuperAdmins < 0 || o.SuperAdmins > o.Users {
		errs = append(errs, fmt.Errorf("super-admins: must be between 0 and users (%d), got %d", o.Users, o.SuperAdmins))
	}
	if o.GroupsPerUser < 0 || o.GroupsPerUser > 50 {
		errs = append(errs, fmt.Errorf("groups-per-user: must be between 0 and 50, got %g", o.GroupsPerUser))
	}
	if o.AppsPerUser < 0 || o.AppsPerUser > 50 {
		errs = append(errs, fmt.Errorf("apps-per-user: must be between 0 and 50, got %g", o.AppsPerUser))
	}
	return errors.Join(errs...)
}
