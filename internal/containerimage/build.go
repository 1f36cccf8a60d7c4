package containerimage

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// SourceResolver maps a COPY source to a file on this machine: from is the --from stage ("" for
// the build context), src the path the Dockerfile names. The daemonless build has no build
// stage to run, so the caller says where each stage output is (e.g. the Dockerfile's
// /out/otelcol-okta is bin/otelcol-okta built with the same flags).
type SourceResolver func(from, src string) (string, error)

// Options are the inputs of Build besides the Dockerfile stage.
type Options struct {
	// Args are the build arguments (--build-arg); unset ones take the ARG defaults.
	Args map[string]string
	// Resolve locates every COPY source.
	Resolve SourceResolver
	// Arch is the image architecture (GOARCH names: amd64, arm64); the OS is linux.
	Arch string
	// Created is the image creation time; the zero time (the Unix epoch in the image) keeps
	// the build reproducible.
	Created time.Time
}

// Build assembles the image the Dockerfile's final stage describes: an empty base ("FROM
// scratch"), one layer per COPY (files owned by root, with the source file's permission bits),
// and the stage's user, entrypoint, command, exposed ports and labels.
func Build(st *Stage, opts Options) (v1.Image, error) {
	if st.Base != "scratch" {
		return nil, fmt.Errorf("final stage FROM %s: the daemonless build assembles FROM scratch images only", st.Base)
	}
	if opts.Resolve == nil {
		return nil, errors.New("containerimage.Options.Resolve is nil")
	}
	if opts.Arch == "" {
		return nil, errors.New("containerimage.Options.Arch is empty")
	}
	layers := make([]v1.Layer, 0, len(st.Copies))
	history := make([]v1.History, 0, len(st.Copies))
	for _, c := range st.Copies {
		src, err := st.Expand(c.Src, opts.Args)
		if err != nil {
			return nil, fmt.Errorf("line %d COPY: %w", c.Line, err)
		}
		file, err := opts.Resolve(c.From, src)
		if err != nil {
			return nil, fmt.Errorf("line %d COPY %s: %w", c.Line, src, err)
		}
		layer, err := fileLayer(file, c.Dst)
		if err != nil {
			return nil, fmt.Errorf("line %d COPY %s %s: %w", c.Line, src, c.Dst, err)
		}
		layers = append(layers, layer)
		history = append(history, v1.History{CreatedBy: "COPY " + c.Dst, Created: v1.Time{Time: opts.Created}})
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, fmt.Errorf("append layers: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read the base config: %w", err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS = "linux"
	cfg.Architecture = opts.Arch
	cfg.Created = v1.Time{Time: opts.Created}
	cfg.History = history
	if cfg.Config, err = st.config(opts.Args); err != nil {
		return nil, err
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("set the image config: %w", err)
	}
	return img, nil
}

// config is the runtime configuration of the stage with the build arguments expanded.
func (st *Stage) config(args map[string]string) (v1.Config, error) {
	user, err := st.Expand(st.User, args)
	if err != nil {
		return v1.Config{}, fmt.Errorf("USER: %w", err)
	}
	cfg := v1.Config{
		User:       user,
		Entrypoint: st.Entrypoint,
		Cmd:        st.Cmd,
		Labels:     map[string]string{},
	}
	for k, v := range st.Labels {
		if cfg.Labels[k], err = st.Expand(v, args); err != nil {
			return v1.Config{}, fmt.Errorf("LABEL %s: %w", k, err)
		}
	}
	if len(st.Expose) > 0 {
		cfg.ExposedPorts = map[string]struct{}{}
		for _, p := range st.Expose {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	}
	return cfg, nil
}

// fileLayer is a layer holding the file at src as dst, with its parent directories.
func fileLayer(src, dst string) (v1.Layer, error) {
	data, err := os.ReadFile(src) //nolint:gosec // G304: the COPY sources the caller resolved are the image's content
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, dir := range parentDirs(dst) {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     strings.TrimPrefix(dst, "/"),
		Mode:     int64(info.Mode().Perm()),
		Size:     int64(len(data)),
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, err
	}
	if _, err := tw.Write(data); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layerBytes := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithCompressedCaching)
}

// parentDirs lists the directories above an absolute path, outermost first, without the
// leading slash ("/etc/ssl/certs/x" → etc, etc/ssl, etc/ssl/certs).
func parentDirs(p string) []string {
	var dirs []string
	for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
		dirs = append([]string{strings.TrimPrefix(d, "/")}, dirs...)
	}
	return dirs
}

// The build-stage outputs that the repository's Dockerfile copies into its final stage, as
// keys of BuildOutputs: the static collector binary and the CA bundle.
const (
	StageBinary   = "build:/out/otelcol-okta"
	StageCABundle = "build:/etc/ssl/certs/ca-certificates.crt"
)

// BuildOutputs is the SourceResolver of a two-stage Dockerfile built without running its
// build stage: a COPY --from=stage takes outputs[stage+":"+src] (a file this machine built the
// same way, e.g. "build:/out/otelcol-okta"), a COPY from the build context takes the file below
// contextDir.
func BuildOutputs(contextDir string, outputs map[string]string) SourceResolver {
	return func(from, src string) (string, error) {
		if from != "" {
			if p, ok := outputs[from+":"+src]; ok {
				return p, nil
			}
			return "", fmt.Errorf("no file given for %s in stage %q", src, from)
		}
		rel := path.Clean("/" + src)[1:]
		if rel == "" || strings.HasPrefix(src, "/") || strings.HasPrefix(path.Clean(src), "..") {
			return "", fmt.Errorf("build-context source %q must be a relative path inside the context", src)
		}
		return filepath.Join(contextDir, filepath.FromSlash(rel)), nil
	}
}
