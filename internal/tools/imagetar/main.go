// Command imagetar writes the otelcol-okta container image as an image tarball without a
// container daemon (`make image`): it builds the final stage of the Dockerfile with
// internal/containerimage from a binary built the way the Dockerfile's build stage builds it.
// `docker load -i`, `crane push` or `skopeo copy docker-archive:...` take the result.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/otelcol-okta/otelcol-okta/internal/containerimage"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "imagetar:", err)
		os.Exit(1)
	}
}

func run() error {
	dockerfile := flag.String("dockerfile", "Dockerfile", "the Dockerfile whose final stage is built")
	binary := flag.String("binary", "", "the static linux otelcol-okta binary (the build stage's /out/otelcol-okta)")
	caBundle := flag.String("ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle the build stage copies")
	arch := flag.String("arch", runtime.GOARCH, "image architecture (the binary's GOARCH)")
	version := flag.String("version", "", "VERSION build argument")
	commit := flag.String("commit", "", "COMMIT build argument")
	tag := flag.String("tag", "otelcol-okta:dev", "image reference written into the tarball")
	out := flag.String("out", "dist/otelcol-okta-image.tar", "output tarball")
	flag.Parse()
	if *binary == "" {
		return fmt.Errorf("-binary is required")
	}
	stage, err := containerimage.ParseFile(*dockerfile)
	if err != nil {
		return err
	}
	args := map[string]string{}
	if *version != "" {
		args["VERSION"] = *version
	}
	if *commit != "" {
		args["COMMIT"] = *commit
	}
	img, err := containerimage.Build(stage, containerimage.Options{
		Args: args,
		Arch: *arch,
		Resolve: containerimage.BuildOutputs(filepath.Dir(*dockerfile), map[string]string{
			containerimage.StageBinary:   *binary,
			containerimage.StageCABundle: *caBundle,
		}),
	})
	if err != nil {
		return err
	}
	ref, err := name.NewTag(*tag)
	if err != nil {
		return fmt.Errorf("-tag: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o750); err != nil {
		return err
	}
	if err := tarball.WriteToFile(*out, ref, img); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Printf("wrote %s (%s)\n", *out, ref)
	return nil
}
