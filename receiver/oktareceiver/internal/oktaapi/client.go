// Package oktaapi is the only code of the receiver that talks HTTP to Okta: authentication
// (SSWS API token or OAuth 2.0 private_key_jwt), the rate limits learned from Okta's answers,
// the one retry and backoff policy, Link and IAM _links pagination, the refusal of links and
// redirects to another origin, the error types and the one classifier of Okta's answers, org
// discovery (the org id and engine), one typed call per resource type driven by the resource
// table, and the System Log page request.
//
// It uses its own small client instead of okta-sdk-golang v2: the SDK's typed structs drop
// fields Okta sends and fail on newer payloads (DYNAMIC_V2 zones), its response cache is on by
// default, it loops on a combined Link header and strips the origin from next links (so it
// cannot refuse foreign ones), its 429 retry needs a Date header, and it has no notion of a
// shared per-bucket budget. Objects stay raw JSON, so nothing Okta sends is lost.
package oktaapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
)

// maxBodyBytes bounds one response body (a page of 200 users is well under 1 MiB).
const maxBodyBytes = 64 << 20

// Page is one successful (2xx) answer of the Okta API.
type Page struct {
	Status int
	Header http.Header
	Body   []byte
	// Next is the absolute URL of the Link rel="next" page, or "".
	Next string
}

// Params configure a Client.
type Params struct {
	// Endpoint is the org URL, e.g. https://acme.okta.com.
	Endpoint string
	// HTTP sends the requests; its redirect policy is replaced (refuseForeignRedirects).
	HTTP *http.Client
	// Auth builds the authenticator of the client's requests (APIToken or OAuth).
	Auth Auth
	// Budget is the share (0,1] of each rate-limit bucket the client may spend per window.
	Budget float64
	// UserAgent is sent with every request.
	UserAgent string
	// Logger receives the throttled and recovered lines of the rate limiter (nil: none).
	Logger *zap.Logger
	// Leader, when set, holds every request back while this replica is a standby.
	Leader Leader
	// LeaderCheckInterval is how often a standby asks Leader again (default one second).
	LeaderCheckInterval time.Duration
}

// Client sends the receiver's requests to one org. It is safe for concurrent use.
type Client struct {
	origin    *url.URL // scheme://host[:port] of the org
	http      *http.Client
	limiter   *rateLimiter
	userAgent string
	auth      Authenticator
	leader    *leaderGate

	orgMu sync.Mutex
	org   Org
}

// New builds a client for the org at p.Endpoint.
func New(p Params) (*Client, error) {
	origin, err := url.Parse(strings.TrimSuffix(p.Endpoint, "/"))
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	origin = &url.URL{Scheme: strings.ToLower(origin.Scheme), Host: strings.ToLower(origin.Host)}
	refuseForeignRedirects(p.HTTP, origin)
	c := &Client{
		origin:    origin,
		http:      p.HTTP,
		limiter:   newRateLimiter(p.Budget),
		userAgent: p.UserAgent,
	}
	if p.Logger != nil {
		c.limiter.logger = p.Logger
	}
	if p.Leader != nil {
		c.leader = &leaderGate{elector: p.Leader, interval: p.LeaderCheckInterval}
		if c.leader.interval <= 0 {
			c.leader.interval = defaultLeaderCheckInterval
		}
	}
	if p.Auth == nil {
		return nil, errors.New("no authentication configured")
	}
	if c.auth, err = p.Auth(c); err != nil {
		return nil, err
	}
	return c, nil
}

// sendLimited sends req once through the rate limiter: it waits for the budget of the
// request's endpoint template and records the answer's rate-limit headers. The caller
// reads and closes the body. Authenticators send their token requests with it.
func (c *Client) sendLimited(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	p, err := c.limiter.acquire(ctx, endpointTemplate(req.URL.EscapedPath()), rateLimitDeadline(ctx, time.Now()), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	c.limiter.release(p, resp)
	return resp, err
}

// OrgURL is the org's origin, e.g. https://acme.okta.com.
func (c *Client) OrgURL() string { return c.origin.String() }

// resolve turns a path ("/api/v1/users?limit=200") or an absolute URL into a URL of the
// org. An absolute URL whose scheme and host differ from the org's is ErrForeignLink.
func (c *Client) resolve(pathOrURL string) (*url.URL, error) {
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
		return nil, fmt.Errorf("%w: %s://%s is not the org %s", ErrForeignLink, u.Scheme, u.Host, c.origin)
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

// Fetch sends an authenticated GET for pathOrURL (a path of the org, or an absolute URL of
// the org's origin: any other origin is refused with ErrForeignLink) under the client's retry
// policy (retry.go): it waits for the rate-limit budget of the endpoint, records the
// X-Rate-Limit-* headers, after a 429 waits for the announced reset and sends again (until
// the rate-limit deadline of ctx, see WithRateLimitDeadline), retries 5xx and transport
// failures a few times with backoff, and after a 401 lets the authenticator drop a cached
// token and sends once more (not after a refused DPoP proof). A DPoP use_dpop_nonce answer is
// met once with the server's new nonce (see attempt). Other non-2xx answers are *APIError. Errors never contain the
// credential.
func (c *Client) Fetch(ctx context.Context, pathOrURL string) (*Page, error) {
	u, err := c.resolve(pathOrURL)
	if err != nil {
		return nil, err
	}
	key := endpointTemplate(u.EscapedPath())
	deadline := rateLimitDeadline(ctx, time.Now())
	ctx = WithRateLimitDeadline(ctx, deadline) // the token request shares the deadline
	policy := newRetryPolicy()
	var last error
	return backoff.Retry(ctx, func() (*Page, error) {
		page, err := c.attempt(ctx, u, key, deadline, last)
		if err != nil {
			last = err
			return nil, policy.classify(ctx, err, c.auth)
		}
		return page, nil
	}, backoff.WithBackOff(policy), backoff.WithMaxElapsedTime(0))
}

// attempt sends one GET: leader gate, credential, rate-limit permit, request, answer. A DPoP
// nonce challenge (see NonceChallenger) is met at once with one more request through the rate
// limiter, not as a retry of the retry policy: the answer was no failure of Okta's. A non-2xx
// answer is returned as *APIError.
func (c *Client) attempt(ctx context.Context, u *url.URL, key string, deadline time.Time, last error) (*Page, error) {
	if err := c.leader.wait(ctx); err != nil {
		return nil, err
	}
	challenger, _ := c.auth.(NonceChallenger)
	for nonceRetried := false; ; nonceRetried = true {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), http.NoBody)
		if err != nil {
			return nil, fmt.Errorf("build request: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", c.userAgent)
		if err := c.auth.Authorize(req); err != nil {
			return nil, err
		}
		p, err := c.limiter.acquire(ctx, key, deadline, last)
		if err != nil {
			return nil, err
		}
		page, resp, err := c.do(req)
		c.limiter.release(p, resp)
		// Also records the nonce of a 2xx answer.
		challenged := challenger != nil && challenger.NonceChallenge(req, resp)
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
func (c *Client) do(req *http.Request) (*Page, *http.Response, error) {
	u := req.URL
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
	page := &Page{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if next := parseLinkRel(resp.Header.Values("Link"), "next"); next != "" {
		if nu, err := u.Parse(next); err == nil {
			page.Next = nu.String()
		}
	}
	return page, resp, nil
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

// RateLimits returns the state of every rate-limit bucket seen so far.
func (c *Client) RateLimits() []BucketStats { return c.limiter.snapshot() }

// Close releases idle connections.
func (c *Client) Close() {
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
