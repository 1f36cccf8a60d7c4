package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSecurityOAuthDPoP runs the real collector with OAuth against the real simulator,
// one org per case, side by side:
//   - required_auto: the service app requires DPoP (--dpop: nonces on the token endpoint
//     and the resource server); oauth.dpop left at auto with no DPoP key (one is
//     generated at start). Every user of the org arrives.
//   - required_true_ec_key: the same app, oauth.dpop true with a P-256 key given inline
//     through the environment; every user arrives and the key appears in no output.
//   - not_required_auto: an app without DPoP; auto keeps Bearer tokens (no token request
//     refused, no nonce challenge) and every user arrives.
//   - required_false: oauth.dpop false against the DPoP app: the collector reports an
//     error naming oauth.dpop and keeps running.
func TestSecurityOAuthDPoP(t *testing.T) {
	dpopKey := ecKeyPEM(t)
	type run struct {
		name     string
		dpop     bool   // the simulator requires DPoP
		settings string // oauth lines after the client key
		env      []string
		sim      *simulator
		proc     *process
		dir      string
	}
	runs := []*run{
		{name: "required_auto", dpop: true},
		{name: "required_true_ec_key", dpop: true, settings: "dpop: true\n      dpop_private_key: ${env:OKTA_DPOP_KEY}",
			env: []string{"OKTA_DPOP_KEY=" + string(dpopKey)}},
		{name: "not_required_auto", settings: "dpop: auto"},
		{name: "required_false", dpop: true, settings: "dpop: false"},
	}
	for _, r := range runs {
		r.dir = t.TempDir()
		args := []string{"--users", "25", "--groups", "4", "--apps", "3", "--events-per-sec", "0",
			"--oauth-key-out", filepath.Join(r.dir, "sim-key.pem")}
		if r.dpop {
			args = append(args, "--dpop")
		}
		r.sim = startSimulator(t, args...)
		keyFile := filepath.Join(r.dir, "sim-key.pem")
		readKeyFile(t, keyFile)
		block := oauthBlock("private_key_file: " + keyFile)
		if r.settings != "" {
			block += "\n      " + r.settings
		}
		health := freePort(t)
		r.proc = startCollector(t, r.dir, render(rejectedConfig, map[string]string{
			"DIR": r.dir, "SIM": r.sim.url, "HEALTH": strconv.Itoa(health), "AUTH": block,
		}), health, r.env...)
	}

	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if r.name == "required_false" {
				const want = "the service app requires DPoP and oauth.dpop is false; set oauth.dpop to auto or true"
				if !waitFor(context.Background(), 30*time.Second, 200*time.Millisecond, func() bool {
					return strings.Contains(r.proc.out.String(), want)
				}) {
					t.Fatalf("within 30 s the collector did not report %q:\n%s", want, tail(r.proc.out.String(), 2000))
				}
				if r.proc.exited() {
					t.Errorf("the collector exited instead of retrying: %v", r.proc.err)
				}
				return
			}
			users := r.sim.groundTruth(t).IDs["user"]
			var got map[string]bool
			if !waitFor(context.Background(), 60*time.Second, 250*time.Millisecond, func() bool {
				recs, err := readRecords(filepath.Join(r.dir, "records.jsonl"))
				if err != nil {
					return false
				}
				got = map[string]bool{}
				for _, rec := range recs {
					if rec.attr("okta.record.kind") == "inventory" && rec.attr("okta.resource.type") == "user" {
						got[rec.attr("okta.resource.id")] = true
					}
				}
				return len(got) >= len(users)
			}) {
				t.Fatalf("within 60 s %d of %d users arrived:\n%s", len(got), len(users), tail(r.proc.out.String(), 2000))
			}
			for _, id := range users {
				if !got[id] {
					t.Errorf("user %s did not arrive", id)
				}
			}
			st := r.sim.stats(t)
			num := func(k string) int64 { v, _ := st[k].(float64); return int64(v) }
			if num("tokensIssued") < 1 {
				t.Errorf("tokensIssued = %d: the collector did not use OAuth", num("tokensIssued"))
			}
			if r.dpop && num("dpopNonceChallenges") < 2 {
				t.Errorf("dpopNonceChallenges = %d, want the token endpoint's and the resource server's (>= 2)", num("dpopNonceChallenges"))
			}
			if !r.dpop && (num("tokenErrors") != 0 || num("dpopNonceChallenges") != 0) {
				t.Errorf("a Bearer app: tokenErrors = %d, dpopNonceChallenges = %d, want 0 and 0", num("tokenErrors"), num("dpopNonceChallenges"))
			}
		})
	}
	for _, r := range runs {
		r.proc.stop(10 * time.Second)
	}
	scanForSecrets(t, map[string][]byte{"required_true_ec_key: collector stdout+stderr": []byte(runs[1].proc.out.String())},
		pemBodyNeedles("DPoP private key", dpopKey))
}

// ecKeyPEM returns a fresh P-256 key as PKCS#8 PEM.
func ecKeyPEM(t *testing.T) []byte {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustf(t, err, "generate a P-256 key")
	der, err := x509.MarshalPKCS8PrivateKey(k)
	mustf(t, err, "marshal PKCS#8")
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
