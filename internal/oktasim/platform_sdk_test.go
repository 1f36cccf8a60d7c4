package oktasim

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
)

// clearOktaEnv hides OKTA_* variables from okta-sdk-golang, which reads
// its configuration from the environment before the setters.
func clearOktaEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "OKTA_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

// sdkPrivateKeyClient returns an okta-sdk-golang v2 client in PrivateKey mode.
func sdkPrivateKeyClient(t *testing.T, orgURL string, scopes ...string) (context.Context, *okta.Client) {
	t.Helper()
	clearOktaEnv(t)
	client, _ := testKeys(t)
	ctx, c, err := okta.NewClient(context.Background(),
		okta.WithOrgUrl(orgURL),
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(DefaultOAuthClientID),
		okta.WithScopes(scopes),
		okta.WithPrivateKey(pkcs1PEM(client)),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false),
		okta.WithRequestTimeout(20),
	)
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return ctx, c
}

func TestPlatformSDKPrivateKeyListsGroups(t *testing.T) {
	h := newPlatformHarness(t, testPlatformOptions(t))
	ctx, c := sdkPrivateKeyClient(t, h.url, "okta.groups.read")
	groups, resp, err := c.Group.ListGroups(ctx, nil)
	if err != nil {
		t.Fatalf("ListGroups: %v", err)
	}
	if len(groups) != 2 || groups[0].Profile.Name != "Everyone" || resp.StatusCode != 200 {
		t.Fatalf("ListGroups = %d groups, status %d", len(groups), resp.StatusCode)
	}
	s := h.stats()
	if s.TokensIssued != 1 || s.Paths["POST /oauth2/v1/token"] != 1 {
		t.Errorf("stats: tokensIssued %d, token requests %d", s.TokensIssued, s.Paths["POST /oauth2/v1/token"])
	}
	// The granted scope does not cover users: the SDK surfaces the 403.
	_, _, err = c.User.ListUsers(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "does not contain the required scopes") {
		t.Errorf("ListUsers without okta.users.read: err = %v", err)
	}
}

func TestPlatformSDKRetriesOn429(t *testing.T) {
	opts := testPlatformOptions(t)
	opts.RateLimits.Share = 1
	opts.RateLimits.Window = time.Second
	opts.RateLimits.Buckets = map[string]int{BucketGroups: 1}
	h := newPlatformHarness(t, opts)
	ctx, c := sdkPrivateKeyClient(t, h.url, "okta.groups.read")
	for i := range 2 {
		if _, _, err := c.Group.ListGroups(ctx, nil); err != nil {
			t.Fatalf("ListGroups %d: %v (the SDK could not retry with our Date/X-Rate-Limit-Reset)", i+1, err)
		}
	}
	s := h.stats()
	if s.Buckets[BucketGroups].Limited < 1 {
		t.Errorf("no 429 was served: %+v", s.Buckets[BucketGroups])
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.retryCount); n != 2 || h.retryCount[0] != "" || !strings.HasPrefix(h.retryCount[1], "1") {
		t.Errorf("X-Okta-Retry-Count of served requests = %q, want the second to be a first retry", h.retryCount)
	}
}
