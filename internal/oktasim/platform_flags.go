package oktasim

import (
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RegisterFlags registers the platform flags (auth, rate limits, faults) on
// fs, with o's current values as defaults. The --token flag is registered
// by the program (cmd/oktasim) and writes o.Token.
func (o *PlatformOptions) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.AdminRole, "admin", o.AdminRole,
		"admin role of the --token SSWS token: super (Super Admin) or read_only (Read-only Admin: GET only, 403 E0000006 on Super-Admin-only endpoints)")
	fs.Func("tokens", "additional SSWS tokens, comma-separated `value:role` pairs (role super or read_only, default super)", func(s string) error {
		list, err := parseTokenList(s)
		if err != nil {
			return err
		}
		o.Tokens = append(o.Tokens, list...)
		return nil
	})

	fs.StringVar(&o.OAuth.ClientID, "oauth-client-id", o.OAuth.ClientID,
		"client id of the OAuth 2.0 service app (private_key_jwt assertions must have iss = sub = this id)")
	fs.StringVar(&o.OAuth.PublicKeyFile, "oauth-public-key", o.OAuth.PublicKeyFile,
		"`FILE` holding the service app's RSA public key (PEM PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE, or a JWK); enables OAuth")
	fs.StringVar(&o.OAuth.GenerateKeyFile, "oauth-key-out", o.OAuth.GenerateKeyFile,
		"generate an RSA key pair at start, write the private key (PKCS#1 PEM, usable by okta-sdk-golang v2) to `FILE` and the public key to FILE.pub; enables OAuth (ignored with --oauth-public-key)")
	fs.StringVar(&o.OAuth.Role, "oauth-admin", o.OAuth.Role, "admin role assigned to the service app: super or read_only")
	fs.Func("oauth-scopes", "comma- or space-separated Okta API scopes granted to the service app (default: every scope the simulator knows)", func(s string) error {
		scopes := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
		for _, sc := range scopes {
			if !knownScope(sc) {
				return fmt.Errorf("unknown scope %q", sc)
			}
		}
		o.OAuth.GrantedScopes = scopes
		return nil
	})
	fs.DurationVar(&o.OAuth.TokenTTL, "oauth-token-ttl", o.OAuth.TokenTTL, "lifetime of issued access tokens (Okta: 1h)")
	fs.BoolVar(&o.OAuth.DPoP, "dpop", o.OAuth.DPoP,
		"require DPoP-bound access tokens: DPoP proof (with server nonce) on the token request, Authorization: DPoP + proof on every call")
	fs.DurationVar(&o.OAuth.DPoPNonceLifetime, "dpop-nonce-lifetime", o.OAuth.DPoPNonceLifetime,
		"with --dpop: how long a server nonce is accepted before use_dpop_nonce asks for a fresh one")
	fs.BoolVar(&o.OAuth.DPoPResourceNonce, "dpop-resource-nonce", o.OAuth.DPoPResourceNonce,
		"with --dpop: API calls need a resource-server nonce in their proof (401 use_dpop_nonce with a DPoP-Nonce header otherwise)")

	rl := &o.RateLimits
	fs.BoolVar(&rl.Enabled, "rate-limits", rl.Enabled,
		"enforce rate limits; false turns them off (headers are still sent, with generous numbers) for throughput benchmarks")
	fs.DurationVar(&rl.Window, "rate-limit-window", rl.Window, "length of each bucket's window (Okta: 60s, not aligned to the minute)")
	fs.Float64Var(&rl.Share, "rate-limit-share", rl.Share,
		"share of each bucket one client (SSWS token or OAuth app) may use; the headers show limit × share (Okta default 0.5)")
	fs.IntVar(&rl.Concurrency, "concurrency-limit", rl.Concurrency, "org-wide cap on in-flight API requests, 0 = none (Okta Workforce: 75)")
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range DefaultBucketLimits() {
			if !yield(n) {
				return
			}
		}
	})
	fs.Func("bucket", "add an endpoint-specific rate-limit bucket, `TEMPLATE=N` (e.g. '/api/v1/apps/{id}/users=100'), repeatable: "+
		"requests whose path has this template count against a bucket of N per window (limit × share per client) instead of an org-wide one", func(s string) error {
		tpl, n, ok := strings.Cut(s, "=")
		limit, err := strconv.Atoi(n)
		if !ok || err != nil || limit < 1 {
			return fmt.Errorf("want TEMPLATE=N with N >= 1, got %q", s)
		}
		if err := validEndpointTemplate(tpl); err != nil {
			return err
		}
		if rl.Endpoints == nil {
			rl.Endpoints = map[string]int{}
		}
		rl.Endpoints[tpl] = limit
		return nil
	})
	fs.Func("other-clients", "simulate the org's other integrations on a bucket, `BUCKET=SHARE`, repeatable: they spend SHARE (0..1] of the bucket's org limit "+
		"in one burst per window (in the first window right after the first request, later at a random moment), so a client gets 429 although its own count says there is room (BUCKET: an org-wide bucket name or a --bucket template)", func(s string) error {
		name, v, ok := strings.Cut(s, "=")
		share, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || share <= 0 || share > 1 {
			return fmt.Errorf("want BUCKET=SHARE with SHARE in (0, 1], got %q", s)
		}
		if rl.OtherClients == nil {
			rl.OtherClients = map[string]float64{}
		}
		rl.OtherClients[name] = share
		return nil
	})
	fs.IntVar(&o.RecordRequests, "record-requests", o.RecordRequests,
		"keep the last N API requests (arrival time, bucket, status, announced X-Rate-Limit-Reset) for GET /_sim/requests; 0 = off")
	fs.Func("rate-limit", "override a bucket's per-window limit, `bucket=N`, repeatable; buckets: "+strings.Join(names, ", "), func(s string) error {
		name, n, ok := strings.Cut(s, "=")
		limit, err := strconv.Atoi(n)
		if !ok || err != nil {
			return fmt.Errorf("want bucket=N, got %q", s)
		}
		if _, known := DefaultBucketLimits()[name]; !known {
			return fmt.Errorf("unknown bucket %q (known: %s)", name, strings.Join(names, ", "))
		}
		if rl.Buckets == nil {
			rl.Buckets = map[string]int{}
		}
		rl.Buckets[name] = limit
		return nil
	})

	f := &o.Faults
	fs.StringVar(&f.PathPrefix, "fault-path-prefix", f.PathPrefix, "apply faults only to paths starting with this prefix (e.g. /api/v1/logs); empty = all /api/v1 and /oauth2 paths")
	fs.Float64Var(&f.ErrorRate, "fault-5xx", f.ErrorRate, "share of requests answered 500 E0000009 (0..1)")
	fs.DurationVar(&f.Latency, "fault-latency", f.Latency, "latency added to every request")
	fs.DurationVar(&f.LatencyJitter, "fault-jitter", f.LatencyJitter, "random extra latency, uniform in 0..jitter")
	fs.Float64Var(&f.TruncateRate, "fault-truncate", f.TruncateRate, "share of 200 responses whose body is cut in the middle (0..1)")
	fs.Float64Var(&f.StormRate, "fault-429", f.StormRate, "share of requests answered 429 E0000047 with rate-limit headers (0..1)")
	fs.Func("fault-429-for", "answer every request 429 for this `duration` after start (a 429 storm)", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration like 30s, got %q", s)
		}
		f.StormUntil = time.Now().Add(d)
		return nil
	})
	fs.Float64Var(&f.ResetRate, "fault-reset", f.ResetRate, "share of requests whose TCP connection is reset without a response (0..1)")
	fs.Func("fault-429-reset", "make the 429s of exhausted buckets announce an X-Rate-Limit-Reset other than the window's end: "+
		"early (half a window before it, maybe already past), late (half a window after it) or mixed", func(s string) error {
		switch s {
		case ResetEarly, ResetLate, ResetMixed:
			f.Reset429 = s
			return nil
		}
		return fmt.Errorf("want %s, %s or %s, got %q", ResetEarly, ResetLate, ResetMixed, s)
	})
	fs.Float64Var(&f.HeaderlessRate, "fault-headerless-429", f.HeaderlessRate,
		"share of requests answered 429 E0000047 without any X-Rate-Limit-* header, as a concurrency limit may answer (0..1)")
	fs.DurationVar(&f.ClockSkew, "clock-skew", f.ClockSkew,
		"shift the clock the answers show (Date and X-Rate-Limit-Reset, kept consistent), e.g. 2m or -2m")
	fs.BoolVar(&f.Paused, "fault-pause", f.Paused, "start paused: hold API requests until PUT /_sim/faults unpauses")
}
