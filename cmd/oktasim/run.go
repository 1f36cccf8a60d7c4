package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
)

const usageHead = `oktasim — a simulated Okta org for developing and testing the otelcol-okta receiver.

It serves, on a local address, what the receiver talks to in a real org:
  - the management API (/api/v1/users, groups, apps, policies, ...) with Okta's
    pagination (Link headers), filters and error bodies;
  - authentication by SSWS API token, or OAuth 2.0 client credentials with a
    private_key_jwt assertion at POST /oauth2/v1/token (optionally DPoP-bound),
    with scopes checked per endpoint and Super Admin / Read-only Admin roles;
  - Okta's rate limits (org-wide and endpoint-specific buckets, per-bucket windows,
    50 % per-client share, concurrency cap) with X-Rate-Limit-* headers and 429
    E0000047, and Okta's uglier habits on demand: other clients draining a bucket,
    429s announcing an earlier or later reset, 429s without headers, a skewed clock;
  - the System Log (/api/v1/logs, polling and bounded queries, late events)
    and event hook deliveries;
  - injected faults (5xx, latency, truncated bodies, 429 storms, connection
    resets, pause) and, with --control, the /_sim/ control API
    (/_sim/faults, /_sim/ratelimits, /_sim/stats, /_sim/requests, /_sim/resources,
    /_sim/events, /_sim/hooks, /_sim/groundtruth).

Usage:
  oktasim [flags]

Example:
  oktasim --control --oauth-key-out ./oktasim-client.pem
  curl -H "Authorization: SSWS oktasim-demo-token" http://127.0.0.1:8989/api/v1/users?limit=2

Flags:
`

// config is what the program itself (not a simulator part) is told.
type config struct {
	addr            string
	dumpGroundTruth string
	tlsCert, tlsKey string
}

// run parses args, starts the simulator, prints where it listens, and
// serves until ctx is done. It returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts := oktasim.DefaultOptions()
	var cfg config
	fs := newFlagSet(&opts, &cfg, stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "oktasim: unexpected argument %q (all settings are flags; see --help)\n", fs.Arg(0))
		return 2
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		fmt.Fprintln(stderr, "oktasim: --tls-cert and --tls-key go together")
		return 2
	}
	if err := serve(ctx, opts, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "oktasim: %v\n", err)
		return 1
	}
	return 0
}

// newFlagSet registers every flag: the program's own and those of the
// three simulator option groups.
func newFlagSet(opts *oktasim.Options, cfg *config, output io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("oktasim", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8989", "`host:port` to listen on (port 0 picks a free port)")
	fs.BoolVar(&opts.Control, "control", false, "enable the /_sim/ control API (faults, rate limits, stats, mutations, ground truth)")
	fs.StringVar(&opts.Platform.Token, "token", oktasim.DefaultDemoToken, "the SSWS API token the org accepts (its role is set by --admin)")
	fs.StringVar(&cfg.dumpGroundTruth, "dump-groundtruth", "", "write the generated org's ground truth as JSON to `FILE` at start, then keep serving")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate `FILE` (needs --tls-key)")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key `FILE` of --tls-cert")
	opts.Org.RegisterFlags(fs)
	opts.Platform.RegisterFlags(fs)
	opts.Logs.RegisterFlags(fs)
	return fs
}

// serve builds and starts the org, reports it, and blocks until ctx is done.
func serve(ctx context.Context, opts oktasim.Options, cfg config, stdout io.Writer) error {
	began := time.Now()
	sim, err := oktasim.New(opts)
	if err != nil {
		return err
	}
	var url string
	if cfg.tlsCert != "" {
		url, err = sim.StartTLS(cfg.addr, cfg.tlsCert, cfg.tlsKey)
	} else {
		url, err = sim.Start(cfg.addr)
	}
	if err != nil {
		return err
	}
	ready := time.Since(began)
	if cfg.dumpGroundTruth != "" {
		if err := writeGroundTruth(cfg.dumpGroundTruth, sim.GroundTruth()); err != nil {
			_ = sim.Close()
			return err
		}
	}
	printBanner(stdout, opts, cfg, url, ready)
	<-ctx.Done()
	fmt.Fprintln(stdout, "oktasim: shutting down")
	if err := sim.Close(); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

func writeGroundTruth(path string, gt oktasim.GroundTruth) error {
	data, err := json.MarshalIndent(gt, "", "  ")
	if err != nil {
		return fmt.Errorf("encode ground truth: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write ground truth: %w", err)
	}
	return nil
}

// printBanner tells the user where the org is and how to reach it. It
// prints the demo token (a local, fixed secret meant to be copied), never a
// private key.
func printBanner(w io.Writer, opts oktasim.Options, cfg config, url string, ready time.Duration) {
	p := opts.Platform
	fmt.Fprintf(w, "oktasim: org %s ready in %s\n", url, ready.Round(time.Millisecond))
	if p.Token != "" {
		fmt.Fprintf(w, "  SSWS token:   %s (admin role %s)\n", p.Token, p.AdminRole)
	}
	for _, t := range p.Tokens {
		fmt.Fprintf(w, "  SSWS token:   (extra, admin role %s)\n", t.Role)
	}
	switch {
	case p.OAuth.PublicKeyFile != "":
		fmt.Fprintf(w, "  OAuth 2.0:    client %s, public key %s, token URL %s/oauth2/v1/token%s\n", p.OAuth.ClientID, p.OAuth.PublicKeyFile, url, dpopNote(p))
	case p.OAuth.GenerateKeyFile != "":
		fmt.Fprintf(w, "  OAuth 2.0:    client %s, private key written to %s (public key %s.pub), token URL %s/oauth2/v1/token%s\n",
			p.OAuth.ClientID, p.OAuth.GenerateKeyFile, p.OAuth.GenerateKeyFile, url, dpopNote(p))
	default:
		fmt.Fprintln(w, "  OAuth 2.0:    off (enable with --oauth-key-out FILE or --oauth-public-key FILE)")
	}
	rl := p.RateLimits
	if rl.Enabled {
		fmt.Fprintf(w, "  rate limits:  on (window %s, per-client share %.0f%%, concurrency %d)\n", rl.Window, rl.Share*100, rl.Concurrency)
	} else {
		fmt.Fprintln(w, "  rate limits:  off (headers still sent)")
	}
	if opts.Control {
		fmt.Fprintf(w, "  control API:  on at %s/_sim/ (faults, ratelimits, stats, requests, resources, events, hooks, groundtruth)\n", url)
	} else {
		fmt.Fprintln(w, "  control API:  off (enable with --control)")
	}
	if cfg.dumpGroundTruth != "" {
		fmt.Fprintf(w, "  ground truth: written to %s\n", cfg.dumpGroundTruth)
	}
	fmt.Fprintf(w, "  try: curl -H 'Authorization: SSWS %s' '%s/api/v1/users?limit=2'\n", p.Token, url)
}

func dpopNote(p oktasim.PlatformOptions) string {
	if p.OAuth.DPoP {
		return " (DPoP required)"
	}
	return ""
}
