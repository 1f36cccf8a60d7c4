package oktareceiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/dpop"
)

// This package talks to Okta with its own small client instead of okta-sdk-golang v2.
// The SDK's typed structs drop fields Okta sends and fail on newer payloads (DYNAMIC_V2
// zones), its response cache is on by default, it loops on a combined Link header and
// strips the origin from next links (so it cannot refuse foreign ones), its 429 retry
// needs a Date header, and it has no notion of a shared per-bucket budget. What we need
// is small: an Authorization header, GET with Link/_links pagination, the rate limits
// learned from Okta's answers (ratelimit.go) and one retry policy (client_retry.go).
// Objects stay raw JSON, so nothing Okta sends is lost.

// maxBodyBytes bounds one response body (a page of 200 users is well under 1 MiB).
const maxBodyBytes = 64 << 20

// apiPage is one successful (2xx) response of the Okta API.
type apiPage struct {
	Status int
	Header http.Header
	Body   []byte
	// Next is the absolute URL of the Link rel="next" page, or "".
	Next string
}

// oktaClient is the only code that talks HTTP to Okta. It is safe for concurrent use.
type oktaClient struct {
	origin    *url.URL // scheme://host[:port] of the org
	http      *http.Client
	limiter   *rateLimiter
	userAgent string
	// authorization returns the credential of the next request (SSWS, Bearer or DPoP).
	authorization func(ctx context.Context) (credential, error)
	// invalidate drops a cached OAuth token after a 401 (nil for SSWS).
	invalidate func()
	// leader holds requests back while this replica is an HA standby (nil: always active).
	leader *leaderGate
}

// newOktaClient builds a client for cfg on top of hc (built from cfg.ClientConfig).
func newOktaClient(cfg *Config, hc *http.Client, buildInfo component.BuildInfo) (*oktaClient, error) {
	origin, err := url.Parse(strings.TrimSuffix(cfg.ClientConfig.Endpoint, "/"))
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	origin = &url.URL{Scheme: strings.ToLower(origin.Scheme), Host: strings.ToLower(origin.Host)}
	refuseForeignRedirects(hc, origin)
	c := &oktaClient{
		origin:    origin,
		http:      hc,
		limiter:   newRateLimiter(cfg.RateLimit.Budget),
		userAgent: "otelcol-okta/" + buildInfo.Version,
	}
	if cfg.APIToken != "" {
		cred := credential{header: "SSWS " + string(cfg.APIToken)}
		c.authorization = func(context.Context) (credential, error) { return cred, nil }
		return c, nil
	}
	ts, err := newOAuthTokenSource(origin.String(), cfg.OAuth, hc)
	if err != nil {
		return nil, err
	}
	// The token endpoint has rate limits of its own: its requests go through the limiter.
	ts.send = c.sendLimited
	c.authorization = ts.authorization
	c.invalidate = ts.invalidate
	return c, nil
}

// setLogger sets the logger of the throttled/recovered lines (a no-op logger by default).
func (c *oktaClient) setLogger(l *zap.Logger) {
	if l != nil {
		c.limiter.logger = l
	}
}

// sendLimited sends req once through the rate limiter: it waits for the budget of the
// request's endpoint template and records the answer's rate-limit headers. The caller
// reads and closes the body.
func (c *oktaClient) sendLimited(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	p, err := c.limiter.acquire(ctx, endpointTemplate(req.URL.EscapedPath()), rateLimitDeadline(ctx, time.Now()), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	c.limiter.release(p, resp)
	return resp, err
}

// orgURL is the org's origin, e.g. https://acme.okta.com.
func (c *oktaClient) orgURL() string { return c.origin.String() }

// resolve turns a path ("/api/v1/users?limit=200") or an absolute URL into a URL of the
// org. An absolute URL whose scheme and host differ from the org's is errForeignLink.
func (c *oktaClient) resolve(pathOrURL string) (*url.URL, error) {
	if strings.HasPrefix(pathOrURL, "/") && !strings.HasPrefix(pathOrURL, "//") {
		u, err := url.Parse(pathOrURL)
		if err != nil {
			return nil, fmt.Errorf("invalid path %q: %w", pathOrURL, err)
		}
		return c.origin.ResolveReference(u), nil
	}
	u, err := url.Parse(pathOrURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if !sameOrigin(u, c.origin) {
		return nil, fmt.Errorf("%w: %s://%s is not the org %s", errForeignLink, u.Scheme, u.Host, c.origin)
	}
	return u, nil
}

// sameOrigin compares scheme and host (default ports made explicit).
func sameOrigin(u, origin *url.URL) bool {
	if u.User != nil || !u.IsAbs() {
		return false
	}
	return strings.EqualFold(u.Scheme, origin.Scheme) && hostPort(u) == hostPort(origin)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// get sends an authenticated GET for pathOrURL (see resolve) under the client's retry
// policy (client_retry.go): it waits for the rate-limit budget of the endpoint, records
// the X-Rate-Limit-* headers, after a 429 waits for the announced reset and sends again
// (until the rate-limit deadline of ctx, see withRateLimitDeadline), retries 5xx and
// transport failures a few times with exponential backoff and jitter, and after a 401
// with OAuth drops the cached token and retries once. A DPoP use_dpop_nonce answer is met
// once with the server's new nonce (see attempt). Other non-2xx answers are
// *apiError. Errors never contain the credential.
func (c *oktaClient) get(ctx context.Context, pathOrURL string) (*apiPage, error) {
	u, err := c.resolve(pathOrURL)
	if err != nil {
		return nil, err
	}
	key := endpointTemplate(u.EscapedPath())
	deadline := rateLimitDeadline(ctx, time.Now())
	ctx = withRateLimitDeadline(ctx, deadline) // the token request shares the deadline
	policy := newRetryPolicy()
	var last error
	return backoff.Retry(ctx, func() (*apiPage, error) {
		page, err := c.attempt(ctx, u, key, deadline, last)
		if err != nil {
			last = err
			return nil, policy.classify(ctx, err, c.invalidate)
		}
		return page, nil
	}, backoff.WithBackOff(policy), backoff.WithMaxElapsedTime(0))
}

// attempt sends one GET: leader gate, credential, rate-limit permit, request, answer.
// A non-2xx answer is returned as *apiError.
func (c *oktaClient) attempt(ctx context.Context, u *url.URL, key string, deadline time.Time, last error) (*apiPage, error) {
	if err := c.leader.wait(ctx); err != nil {
		return nil, err
	}
	auth, err := c.authorization(ctx)
	if err != nil {
		return nil, err
	}
	// A DPoP nonce challenge is met at once, with one more request (not a retry of
	// the retry policy: the answer was no failure of Okta's).
	for nonceRetried := false; ; nonceRetried = true {
		p, err := c.limiter.acquire(ctx, key, deadline, last)
		if err != nil {
			return nil, err
		}
		page, resp, err := c.do(ctx, u, auth)
		c.limiter.release(p, resp)
		challenged := auth.nonceChallenge(u, resp) // also records the nonce of a 2xx
		if err != nil {
			return nil, err
		}
		if page != nil {
			return page, nil
		}
		if challenged && !nonceRetried {
			continue
		}
		return nil, responseError(resp)
	}
}

// do performs one request. On 2xx it returns the page; otherwise the response, whose body
// was read into a buffered error (see responseError).
func (c *oktaClient) do(ctx context.Context, u *url.URL, auth credential) (*apiPage, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), http.NoBody)
	if err != nil {
		return nil, nil, fmt.Errorf("build request: %w", err)
	}
	if err := auth.apply(req); err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, &transportError{err: fmt.Errorf("GET %s: %w", u.EscapedPath(), scrubURLError(err))}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := readBody(io.LimitReader(resp.Body, maxBodyBytes+1), resp.ContentLength)
	if err != nil {
		return nil, resp, &transportError{err: fmt.Errorf("GET %s: read body: %w", u.EscapedPath(), err)}
	}
	if len(body) > maxBodyBytes {
		return nil, resp, fmt.Errorf("GET %s: response body larger than %d bytes", u.EscapedPath(), maxBodyBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		return nil, resp, nil
	}
	page := &apiPage{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if next := parseLinkRel(resp.Header.Values("Link"), "next"); next != "" {
		if nu, err := u.Parse(next); err == nil {
			page.Next = nu.String()
		}
	}
	return page, resp, nil
}

// responseError converts a non-2xx response (body already buffered) into *apiError.
func responseError(resp *http.Response) error {
	ae := &apiError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Okta-Request-Id"), DPoPError: dpop.ChallengeError(resp.Header)}
	if body, err := io.ReadAll(resp.Body); err == nil {
		ae.parseBody(body)
	}
	if resp.StatusCode == 401 || resp.StatusCode == 403 {
		// The challenge names the cause (an expired token, a bad DPoP proof) that the
		// generic E0000011 body does not.
		switch challenge := wwwAuthenticateError(resp.Header.Get("WWW-Authenticate")); {
		case challenge == "":
		case ae.Summary == "":
			ae.Summary = challenge
		default:
			ae.Summary += " (" + challenge + ")"
		}
	}
	return ae
}

// wwwAuthenticateError extracts error/error_description from a Bearer or DPoP challenge.
func wwwAuthenticateError(h string) string {
	var parts []string
	for _, key := range []string{"error=", "error_description="} {
		if i := strings.Index(h, key); i >= 0 {
			v := h[i+len(key):]
			v = strings.TrimPrefix(v, `"`)
			if j := strings.IndexAny(v, `",`); j >= 0 {
				v = v[:j]
			}
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ": ")
}

// scrubURLError removes the URL (which may carry cursors, never credentials, but is long)
// from *url.Error and keeps the cause.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// bodyNext returns _links.next.href of a body-paginated (IAM) response, or "".
func bodyNext(body []byte) string {
	var b struct {
		Links struct {
			Next struct {
				Href string `json:"href"`
			} `json:"next"`
		} `json:"_links"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return b.Links.Next.Href
}

// rateLimitSnapshot returns the state of every rate-limit bucket seen so far.
func (c *oktaClient) rateLimitSnapshot() []bucketSnapshot { return c.limiter.snapshot() }

// close releases idle connections.
func (c *oktaClient) close() {
	if c != nil && c.http != nil {
		c.http.CloseIdleConnections()
	}
}

// readBody reads r to the end like io.ReadAll, but starts with a buffer of the announced
// Content-Length (when known and within maxBodyBytes), so that a large page is read into
// one allocation instead of a chain of doubling copies.
func readBody(r io.Reader, contentLength int64) ([]byte, error) {
	size := int64(512)
	if contentLength > 0 && contentLength <= maxBodyBytes {
		size = contentLength + 1 // +1: the final read sees EOF without growing
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
