package e2e

import (
	"archive/tar"
	"crypto/x509"
	"debug/elf"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-okta/otelcol-okta/internal/containerimage"
)

// imageUID is the non-root user the image runs as, and the Kubernetes manifests' runAsUser.
const imageUID = "10001"

// hostCABundle is the CA bundle the Dockerfile's build stage (a Debian-based golang image)
// copies; the Debian machines that run the tests have it at the same path.
const hostCABundle = "/etc/ssl/certs/ca-certificates.crt"

// TestShipImageBuildsDaemonless builds the Dockerfile's final stage without a container daemon
// (internal/containerimage reads the Dockerfile itself, so the two cannot drift), writes the
// image tarball, reads it back, checks its configuration and file system, then extracts the
// binary from the tarball and runs its --version.
func TestShipImageBuildsDaemonless(t *testing.T) {
	requireStaticBinary(t, collectorBin)
	stage, err := containerimage.ParseFile(filepath.Join(repoRoot, "Dockerfile"))
	mustf(t, err, "parse the Dockerfile")
	if stage.Base != "scratch" {
		t.Errorf("final stage FROM %s: want scratch (no shell, nothing but what the COPY lines add)", stage.Base)
	}

	// The image carries the binary under test; its labels get the version it was stamped with.
	version, commit := binaryVersion(t, collectorBin)
	img, err := containerimage.Build(stage, containerimage.Options{
		Args: map[string]string{"VERSION": version, "COMMIT": commit},
		Arch: runtime.GOARCH,
		Resolve: containerimage.BuildOutputs(repoRoot, map[string]string{
			containerimage.StageBinary:   collectorBin,
			containerimage.StageCABundle: hostCABundle,
		}),
	})
	mustf(t, err, "build the image")
	tag, err := name.NewTag("otelcol-okta:e2e")
	mustf(t, err, "tag")
	tarPath := filepath.Join(t.TempDir(), "otelcol-okta-image.tar")
	mustf(t, tarball.WriteToFile(tarPath, tag, img), "write the image tarball")

	loaded, err := tarball.ImageFromPath(tarPath, &tag)
	mustf(t, err, "read the image tarball")
	cfgFile, err := loaded.ConfigFile()
	mustf(t, err, "image config")
	cfg := cfgFile.Config
	t.Logf("image config: os/arch %s/%s, user %q, entrypoint %q, cmd %q, exposed %v",
		cfgFile.OS, cfgFile.Architecture, cfg.User, cfg.Entrypoint, cfg.Cmd, slices.Sorted(maps.Keys(cfg.ExposedPorts)))
	for _, k := range slices.Sorted(maps.Keys(cfg.Labels)) {
		t.Logf("label %s=%s", k, cfg.Labels[k])
	}
	if cfgFile.OS != "linux" || cfgFile.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cfgFile.OS, cfgFile.Architecture, runtime.GOARCH)
	}
	if cfg.User != imageUID {
		t.Errorf("User = %q, want %q (non-root)", cfg.User, imageUID)
	}
	if len(cfg.Entrypoint) != 1 || !strings.HasPrefix(cfg.Entrypoint[0], "/") {
		t.Fatalf("Entrypoint = %q, want the absolute path of the binary", cfg.Entrypoint)
	}
	wantLabels := map[string]string{
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.revision": commit,
		"org.opencontainers.image.licenses": "Apache-2.0",
		"org.opencontainers.image.title":    "otelcol-okta",
	}
	for k, want := range wantLabels {
		if got := cfg.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"org.opencontainers.image.source", "org.opencontainers.image.description"} {
		if cfg.Labels[k] == "" {
			t.Errorf("label %s is empty", k)
		}
	}

	files, err := containerimage.Files(loaded)
	mustf(t, err, "read the image file system")
	entry := strings.TrimPrefix(cfg.Entrypoint[0], "/")
	bin, ok := files[entry]
	if !ok || bin.Type != tar.TypeReg {
		t.Fatalf("the entrypoint %s is not a file of the image (files: %v)", cfg.Entrypoint[0], slices.Sorted(maps.Keys(files)))
	}
	if bin.Mode != 0o755 || bin.UID != 0 {
		t.Errorf("%s: mode %o uid %d, want 0755 owned by root (the uid %s user cannot replace it)", entry, bin.Mode, bin.UID, imageUID)
	}
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, ok := files[shell]; ok {
			t.Errorf("the image has a shell (%s)", shell)
		}
	}
	ca := files["etc/ssl/certs/ca-certificates.crt"]
	if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(ca.Data) {
		t.Error("etc/ssl/certs/ca-certificates.crt holds no PEM certificate (Go reads the CA bundle there)")
	}
	if !passwdHasUID(string(files["etc/passwd"].Data), imageUID) {
		t.Errorf("etc/passwd has no entry for uid %s:\n%s", imageUID, files["etc/passwd"].Data)
	}
	if runAs := statefulSetRunAsUser(t); runAs != imageUID {
		t.Errorf("deploy/kubernetes/base StatefulSet runAsUser = %s, the image's user is %s", runAs, imageUID)
	}

	extracted := filepath.Join(t.TempDir(), "otelcol-okta")
	mustf(t, os.WriteFile(extracted, bin.Data, 0o755), "extract the binary")
	out, err := exec.Command(extracted, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("extracted binary --version: %v\n%s", err, out)
	}
	t.Logf("extracted binary: %s", strings.TrimSpace(string(out)))
	if got := strings.TrimSpace(string(out)); !strings.Contains(got, version) || !strings.Contains(got, commit) {
		t.Errorf("extracted binary --version = %q, want version %s and commit %s (the image labels)", got, version, commit)
	}
}

// requireStaticBinary fails unless bin has no ELF interpreter (CGO_ENABLED=0): the image has no
// C library.
func requireStaticBinary(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	mustf(t, err, "open %s as ELF", bin)
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s is dynamically linked; the FROM-scratch image needs a static binary: build it with `make build` (CGO_ENABLED=0)", bin)
		}
	}
}

// passwdHasUID tells whether an /etc/passwd text has an entry with that uid.
func passwdHasUID(passwd, uid string) bool {
	for _, line := range strings.Split(passwd, "\n") {
		if f := strings.Split(line, ":"); len(f) >= 7 && f[2] == uid {
			return true
		}
	}
	return false
}

// statefulSetRunAsUser reads the pod's runAsUser from deploy/kubernetes/base/statefulset.yaml.
func statefulSetRunAsUser(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "kubernetes", "base", "statefulset.yaml"))
	mustf(t, err, "read the StatefulSet")
	var sts struct {
		Spec struct {
			Template struct {
				Spec struct {
					SecurityContext struct {
						RunAsUser int `yaml:"runAsUser"`
					} `yaml:"securityContext"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	mustf(t, yaml.Unmarshal(data, &sts), "parse the StatefulSet")
	return strconv.Itoa(sts.Spec.Template.Spec.SecurityContext.RunAsUser)
}
