package containerimage

import (
	"archive/tar"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleDockerfile = `# a comment
FROM golang:1.26 AS build
ARG VERSION=ignored-in-the-first-stage
RUN go build -o /out/app ./cmd/app

FROM scratch
ARG VERSION=0.0.0-dev
ARG COMMIT
LABEL org.opencontainers.image.title="app" \
      # a comment between continuation lines
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision=$COMMIT
COPY --from=build /out/app /app
COPY files/passwd /etc/passwd
USER 10001
EXPOSE 9464 13133/tcp
ENTRYPOINT ["/app"]
CMD ["--config=/etc/app/config.yaml"]
`

func TestParseReadsTheFinalStage(t *testing.T) {
	st, err := Parse(strings.NewReader(sampleDockerfile))
	if err != nil {
		t.Fatal(err)
	}
	want := &Stage{
		Base: "scratch",
		Args: map[string]string{"VERSION": "0.0.0-dev", "COMMIT": ""},
		Copies: []Copy{
			{From: "build", Src: "/out/app", Dst: "/app", Line: 13},
			{Src: "files/passwd", Dst: "/etc/passwd", Line: 14},
		},
		User:       "10001",
		Entrypoint: []string{"/app"},
		Cmd:        []string{"--config=/etc/app/config.yaml"},
		Labels: map[string]string{
			"org.opencontainers.image.title":    "app",
			"org.opencontainers.image.version":  "${VERSION}",
			"org.opencontainers.image.revision": "$COMMIT",
		},
		Expose: []string{"9464", "13133/tcp"},
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", st, want)
	}
}

func TestParseRejectsWhatTheDaemonlessBuildCannotDo(t *testing.T) {
	cases := map[string]struct{ dockerfile, wantErr string }{
		"RUN in the final stage": {"FROM scratch\nRUN echo hi\n", "line 2 (RUN): not supported"},
		"shell-form entrypoint":  {"FROM scratch\nENTRYPOINT /app --flag\n", "line 2 (ENTRYPOINT): want the exec form"},
		"two sources":            {"FROM scratch\nCOPY a b /dst\n", "line 2 (COPY): want one source and one destination"},
		"relative destination":   {"FROM scratch\nCOPY a dst\n", `destination "dst" must be an absolute file path`},
		"chmod flag":             {"FROM scratch\nCOPY --chmod=0755 a /a\n", "flag --chmod=0755 is not supported"},
		"bad label":              {"FROM scratch\nLABEL novalue\n", "line 2 (LABEL): want key=value"},
		"unterminated label":     {"FROM scratch\nLABEL a=\"x\n", "unterminated quote"},
		"no FROM":                {"USER 1\n", "no FROM instruction"},
		"dangling continuation":  {"FROM scratch\nUSER 1 \\\n", "line 2: the file ends inside a continued line"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.dockerfile))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestExpandUsesArgsThenDefaults(t *testing.T) {
	st := &Stage{Args: map[string]string{"VERSION": "dev", "COMMIT": ""}}
	got, err := st.Expand("v=${VERSION} c=$COMMIT", map[string]string{"COMMIT": "abc"})
	if err != nil || got != "v=dev c=abc" {
		t.Errorf("Expand = %q, %v; want %q", got, err, "v=dev c=abc")
	}
	if _, err := st.Expand("${UNDECLARED}", nil); err == nil || !strings.Contains(err.Error(), "UNDECLARED") {
		t.Errorf("an undeclared ARG must be an error naming it, got %v", err)
	}
}

func TestBuildAssemblesTheStage(t *testing.T) {
	st, err := Parse(strings.NewReader(sampleDockerfile))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	passwd := filepath.Join(dir, "passwd")
	mustWrite(t, app, "#!binary", 0o755)
	mustWrite(t, passwd, "app:x:10001:10001::/:/sbin/nologin\n", 0o644)
	img, err := Build(st, Options{
		Args: map[string]string{"COMMIT": "abc123"},
		Arch: "arm64",
		Resolve: func(from, src string) (string, error) {
			switch {
			case from == "build" && src == "/out/app":
				return app, nil
			case from == "" && src == "files/passwd":
				return passwd, nil
			}
			return "", errors.New("unexpected source")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm64" {
		t.Errorf("platform = %s/%s, want linux/arm64", cfg.OS, cfg.Architecture)
	}
	c := cfg.Config
	if c.User != "10001" || !reflect.DeepEqual(c.Entrypoint, []string{"/app"}) || !reflect.DeepEqual(c.Cmd, []string{"--config=/etc/app/config.yaml"}) {
		t.Errorf("user/entrypoint/cmd = %q %q %q", c.User, c.Entrypoint, c.Cmd)
	}
	wantLabels := map[string]string{
		"org.opencontainers.image.title":    "app",
		"org.opencontainers.image.version":  "0.0.0-dev",
		"org.opencontainers.image.revision": "abc123",
	}
	if !reflect.DeepEqual(c.Labels, wantLabels) {
		t.Errorf("labels = %v, want %v", c.Labels, wantLabels)
	}
	if _, ok := c.ExposedPorts["9464/tcp"]; !ok || len(c.ExposedPorts) != 2 {
		t.Errorf("exposed ports = %v", c.ExposedPorts)
	}
	files, err := Files(img)
	if err != nil {
		t.Fatal(err)
	}
	if f := files["app"]; f.Mode != 0o755 || string(f.Data) != "#!binary" || f.UID != 0 {
		t.Errorf("/app = mode %o uid %d %q, want mode 0755, root-owned, the source's content", f.Mode, f.UID, f.Data)
	}
	if f := files["etc/passwd"]; f.Mode != 0o644 || !strings.Contains(string(f.Data), ":10001:") {
		t.Errorf("/etc/passwd = mode %o %q", f.Mode, f.Data)
	}
	if d, ok := files["etc"]; !ok || d.Type != tar.TypeDir {
		t.Errorf("the parent directory etc is missing: %v", keys(files))
	}
}

func TestBuildRefusesAnotherBase(t *testing.T) {
	st, err := Parse(strings.NewReader("FROM alpine:3\nUSER 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(st, Options{Arch: "amd64", Resolve: func(string, string) (string, error) { return "", nil }})
	if err == nil || !strings.Contains(err.Error(), "FROM alpine:3") {
		t.Errorf("error = %v, want one naming the base", err)
	}
}

func TestBuildNamesAMissingSource(t *testing.T) {
	st, err := Parse(strings.NewReader("FROM scratch\nCOPY missing /x\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(st, Options{Arch: "amd64", Resolve: func(_, src string) (string, error) {
		return filepath.Join(t.TempDir(), src), nil
	}})
	if err == nil || !strings.Contains(err.Error(), "line 2 COPY missing") {
		t.Errorf("error = %v, want one naming the line and the source", err)
	}
}

func mustWrite(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
