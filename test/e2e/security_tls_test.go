package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tlsConfig is the collector on an https org; TLS is the receiver's tls block (may be empty).
const tlsConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
{{TLS}}
    system_log:
      poll_interval: 1s
` + fileExporterTail

// newTestCA writes a fresh CA certificate and a server certificate for 127.0.0.1 signed by
// it into dir, and returns the paths and a pool trusting the CA.
func newTestCA(t *testing.T, dir string) (caFile, certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustf(t, err, "CA key")
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "otelcol-okta e2e test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	mustf(t, err, "CA certificate")
	caCert, err := x509.ParseCertificate(caDER)
	mustf(t, err, "parse CA certificate")

	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mustf(t, err, "server key")
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	mustf(t, err, "server certificate")
	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	mustf(t, err, "marshal server key")

	caFile = writeFile(t, dir, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})))
	certFile = writeFile(t, dir, "server.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})))
	keyFile = writeFile(t, dir, "server-key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: srvKeyDER})))
	pool = x509.NewCertPool()
	pool.AddCert(caCert)
	return caFile, certFile, keyFile, pool
}

// startTLSSimulator runs oktasim over https with the given certificate and waits until
// it answers through a client that trusts pool.
func startTLSSimulator(t *testing.T, certFile, keyFile string, pool *x509.CertPool, args ...string) *simulator {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	all := append([]string{"--addr", "127.0.0.1:" + port, "--control", "--token", simToken,
		"--tls-cert", certFile, "--tls-key", keyFile}, args...)
	p := startProcess(t, "oktasim (https)", simBin, nil, all...)
	url := "https://127.0.0.1:" + port
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ok := waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool {
		if p.exited() {
			return true
		}
		resp, err := client.Get(url + "/.well-known/okta-organization")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !ok || p.exited() {
		t.Fatalf("oktasim did not answer over https at %s (exited: %v)", url, p.exited())
	}
	return &simulator{process: p, url: url}
}

// tlsGroundTruth reads /_sim/groundtruth over https through a client trusting pool
// (simulator.getJSON speaks plain http).
func tlsGroundTruth(t *testing.T, sim *simulator, pool *x509.CertPool) groundTruth {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(sim.url + "/_sim/groundtruth")
	mustf(t, err, "GET /_sim/groundtruth over https")
	defer resp.Body.Close()
	var gt groundTruth
	mustf(t, json.NewDecoder(resp.Body).Decode(&gt), "decode /_sim/groundtruth")
	return gt
}

// TestSecurityTLSCustomCA runs the simulator over https with a certificate from a test
// CA. A collector given the CA through tls.ca_file (confighttp) collects the inventory;
// a second one without it reports a certificate error and delivers nothing.
func TestSecurityTLSCustomCA(t *testing.T) {
	dir := t.TempDir()
	caFile, certFile, keyFile, pool := newTestCA(t, dir)
	sim := startTLSSimulator(t, certFile, keyFile, pool, "--users", "40", "--groups", "6", "--apps", "4", "--events-per-sec", "0")
	gt := tlsGroundTruth(t, sim, pool)

	withCA, withoutCA := filepath.Join(dir, "with-ca"), filepath.Join(dir, "without-ca")
	for _, d := range []string{withCA, withoutCA} {
		mustf(t, os.MkdirAll(d, 0o755), "mkdir %s", d)
	}
	healthA, healthB := freePort(t), freePort(t)
	startCollector(t, withCA, render(tlsConfig, map[string]string{
		"DIR": withCA, "SIM": sim.url, "HEALTH": strconv.Itoa(healthA),
		"TLS": "    tls:\n      ca_file: " + caFile,
	}), healthA)
	noCA := startCollector(t, withoutCA, render(tlsConfig, map[string]string{
		"DIR": withoutCA, "SIM": sim.url, "HEALTH": strconv.Itoa(healthB), "TLS": "",
	}), healthB)

	var missing []string
	if !waitFor(context.Background(), 60*time.Second, 250*time.Millisecond, func() bool {
		recs, err := readRecords(filepath.Join(withCA, "records.jsonl"))
		if err != nil {
			return false
		}
		missing = missingSnapshots(groundTruth{IDs: map[string][]string{"user": gt.IDs["user"], "group": gt.IDs["group"]}}, recs)["user"]
		return len(missing) == 0 && len(gt.IDs["user"]) > 0
	}) {
		t.Fatalf("with tls.ca_file: %d of %d users never arrived over https", len(missing), len(gt.IDs["user"]))
	}

	certErr := func() bool {
		out := noCA.out.String()
		return strings.Contains(out, "certificate signed by unknown authority") || strings.Contains(out, "x509:")
	}
	if !waitFor(context.Background(), 20*time.Second, 200*time.Millisecond, certErr) {
		t.Errorf("without tls.ca_file the collector did not report a certificate error")
	}
	recs, err := readRecords(filepath.Join(withoutCA, "records.jsonl"))
	if err == nil && len(recs) > 0 {
		t.Errorf("without tls.ca_file %d records arrived; the untrusted org must deliver nothing", len(recs))
	} else if err != nil && !os.IsNotExist(err) {
		t.Errorf("read the output of the collector without CA: %v", err)
	}
	if noCA.exited() {
		t.Errorf("the collector without CA exited instead of reporting the error and retrying: %v", noCA.err)
	}
}
