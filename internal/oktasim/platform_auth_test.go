package oktasim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPlatformCommonHeaders(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	for _, c := range []struct {
		name, auth string
		status     int
		rateLimit  bool
	}{
		{"ok", "SSWS " + DefaultDemoToken, 200, true},
		{"unauthorized", "SSWS wrong", 401, true},
		{"well-known", "", 200, false},
	} {
		path := "/api/v1/users"
		if c.name == "well-known" {
			path = "/.well-known/okta-organization"
		}
		resp := h.do(http.MethodGet, path, c.auth, nil)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
		}
		if d, err := time.Parse(http.TimeFormat, resp.Header.Get("Date")); err != nil || time.Since(d) > 5*time.Second {
			t.Errorf("%s: Date %q not a recent RFC 1123 GMT date (%v)", c.name, resp.Header.Get("Date"), err)
		}
		if len(resp.Header.Get("X-Okta-Request-Id")) < 20 {
			t.Errorf("%s: X-Okta-Request-Id = %q", c.name, resp.Header.Get("X-Okta-Request-Id"))
		}
		if got := resp.Header.Get("X-Rate-Limit-Limit") != ""; got != c.rateLimit {
			t.Errorf("%s: has X-Rate-Limit-Limit = %v, want %v", c.name, got, c.rateLimit)
		}
	}
}

func TestPlatformSSWS(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.Tokens = []APIToken{{Value: "ro-token", Role: RoleReadOnly, Name: "reader"}}
	h := newPlatformHarness(t, opts)

	resp := h.ssws("/api/v1/users")
	var body map[string]any
	decode(t, resp, &body)
	if resp.StatusCode != 200 || body["role"] != RoleSuper {
		t.Errorf("good token: status %d body %v, want 200 and role super", resp.StatusCode, body)
	}
	for _, auth := range []string{"", "SSWS nope", "SSWS", "Bearer " + DefaultDemoToken, "Basic abc"} {
		resp := h.do(http.MethodGet, "/api/v1/groups", auth, nil)
		expectOktaError(t, resp, 401, "E0000011", "Invalid token provided")
	}
	resp = h.do(http.MethodGet, "/api/v1/users", "SSWS ro-token", nil)
	decode(t, resp, &body)
	if resp.StatusCode != 200 || body["role"] != RoleReadOnly {
		t.Errorf("read-only token: status %d body %v", resp.StatusCode, body)
	}
	if got := h.stats().Unauthorized; got != 5 {
		t.Errorf("stats unauthorized = %d, want 5", got)
	}
}

func TestPlatformReadOnlyAdmin(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.AdminRole = RoleReadOnly
	h := newPlatformHarness(t, opts)
	for _, c := range []struct {
		method, path string
		allowed      bool
	}{
		{"GET", "/api/v1/org", true},
		{"GET", "/api/v1/users", true},
		{"GET", "/api/v1/org/privacy/oktaSupport", false},
		{"GET", "/api/v1/logStreams", false},
		{"GET", "/api/v1/meta/schemas/logStream/aws_eventbridge", false},
		{"POST", "/api/v1/users", false},
		{"DELETE", "/api/v1/groups/00g1a2b3c4d5e6f7g8h9", false},
	} {
		resp := h.do(c.method, c.path, "SSWS "+DefaultDemoToken, nil)
		if c.allowed {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: status %d, want 200", c.method, c.path, resp.StatusCode)
			}
			continue
		}
		expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
		if resp.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("%s %s: role 403 must not carry WWW-Authenticate", c.method, c.path)
		}
	}
	// A Super Admin token reads the same endpoint.
	super := newPlatformHarness(t, testPlatformOptions(t))
	resp := super.ssws("/api/v1/org/privacy/oktaSupport")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("super admin oktaSupport: status %d", resp.StatusCode)
	}
}

func TestPlatformScopeEnforcement(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	tok := h.bearer("okta.groups.read okta.logs.read")
	for _, c := range []struct {
		method, path, scope string // scope "" = allowed
	}{
		{"GET", "/api/v1/groups", ""},
		{"GET", "/api/v1/groups/00g1a2b3c4d5e6f7g8h9/users", ""},
		{"GET", "/api/v1/logs", ""},
		{"GET", "/api/v1/groups/00g1a2b3c4d5e6f7g8h9/roles", "okta.roles.read"},
		{"GET", "/api/v1/users", "okta.users.read"},
		{"GET", "/api/v1/users/00u1a2b3c4d5e6f7g8h9/factors", "okta.users.read"},
		{"GET", "/api/v1/org/privacy/oktaSupport", "okta.orgs.read"},
		{"GET", "/api/v1/iam/assignees/users", "okta.roles.read"},
		{"POST", "/api/v1/groups", "okta.groups.manage"},
	} {
		resp := h.do(c.method, c.path, "Bearer "+tok, nil)
		if c.scope == "" {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: status %d, want 200", c.method, c.path, resp.StatusCode)
			}
			continue
		}
		expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
		wa := resp.Header.Get("WWW-Authenticate")
		for _, want := range []string{`Bearer authorization_uri="` + h.url + `/oauth2/v1/authorize"`, `realm="IdpMyAccountAPI"`,
			`scope="` + c.scope + `"`, `error="insufficient_scope"`,
			`error_description="The access token provided does not contain the required scopes."`, `resource="` + c.path + `"`} {
			if !strings.Contains(wa, want) {
				t.Errorf("%s %s: WWW-Authenticate %q lacks %s", c.method, c.path, wa, want)
			}
		}
	}
	// A .manage scope also grants reads.
	manage := h.bearer("okta.users.manage")
	resp := h.do("GET", "/api/v1/users", "Bearer "+manage, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("okta.users.manage reading users: status %d", resp.StatusCode)
	}
}

func TestPlatformBearerInvalidAndExpired(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.OAuth.TokenTTL = 300 * time.Millisecond
	clock := newManualClock()
	h := newPlatformHarnessWithClock(t, opts, clock.Now)
	resp := h.do("GET", "/api/v1/users", "Bearer not-a-token", nil)
	expectOktaError(t, resp, 401, "E0000011", "Invalid token provided")
	if wa := resp.Header.Get("WWW-Authenticate"); !strings.Contains(wa, `error="invalid_token"`) || !strings.HasPrefix(wa, "Bearer ") {
		t.Errorf("unknown bearer: WWW-Authenticate = %q", wa)
	}
	tok := h.bearer("okta.users.read")
	resp = h.do("GET", "/api/v1/users", "Bearer "+tok, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("fresh token: status %d", resp.StatusCode)
	}
	// The token is good until its lifetime has passed on the simulator's clock.
	clock.Advance(opts.OAuth.TokenTTL - time.Millisecond)
	resp = h.do("GET", "/api/v1/users", "Bearer "+tok, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("token 1 ms before its lifetime ends: status %d", resp.StatusCode)
	}
	clock.Advance(time.Millisecond)
	resp = h.do("GET", "/api/v1/users", "Bearer "+tok, nil)
	expectOktaError(t, resp, 401, "E0000011", "Invalid token provided")
	if wa := resp.Header.Get("WWW-Authenticate"); !strings.Contains(wa, `error="invalid_token"`) || !strings.Contains(wa, "expired") {
		t.Errorf("expired bearer: WWW-Authenticate = %q", wa)
	}
}

func TestPlatformReadOnlyOAuthApp(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.OAuth.Role = RoleReadOnly
	h := newPlatformHarness(t, opts)
	tok := h.bearer("okta.orgs.read okta.users.manage")
	resp := h.do("GET", "/api/v1/org/privacy/oktaSupport", "Bearer "+tok, nil)
	expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
	resp = h.do("POST", "/api/v1/users", "Bearer "+tok, nil)
	expectOktaError(t, resp, 403, "E0000006", "You do not have permission to perform the requested action")
}

func TestPlatformOptionsValidation(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(o *PlatformOptions)
		field string
	}{
		{"role", func(o *PlatformOptions) { o.AdminRole = "owner" }, "admin role"},
		{"token role", func(o *PlatformOptions) { o.Tokens = []APIToken{{Value: "x", Role: "root"}} }, "tokens[0]"},
		{"dup token", func(o *PlatformOptions) { o.Tokens = []APIToken{{Value: DefaultDemoToken, Role: RoleSuper}} }, "duplicate"},
		{"share", func(o *PlatformOptions) { o.RateLimits.Share = 1.5 }, "share"},
		{"bucket", func(o *PlatformOptions) { o.RateLimits.Buckets = map[string]int{"nope": 3} }, `bucket "nope"`},
		{"fault", func(o *PlatformOptions) { o.Faults.ErrorRate = 2 }, "errorRate"},
		{"scope", func(o *PlatformOptions) { o.OAuth.GrantedScopes = []string{"okta.factors.read"} }, "okta.factors.read"},
		{"key", func(o *PlatformOptions) { o.OAuth.PublicKeyPEM = []byte("garbage") }, "oauth public key"},
	} {
		o := DefaultPlatformOptions()
		c.edit(&o)
		_, err := newPlatform(o, time.Now)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want one naming %q", c.name, err, c.field)
		}
	}
}
