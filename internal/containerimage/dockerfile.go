// Package containerimage builds the otelcol-okta container image without a container daemon.
//
// It reads the final stage of the repository's Dockerfile and assembles the same image with
// go-containerregistry: one layer per COPY, and the USER, ENTRYPOINT, CMD, EXPOSE and LABEL
// settings of the stage. Because the image is built from the Dockerfile itself, the two cannot
// drift apart. Only what a FROM-scratch final stage needs is understood; any other instruction
// in that stage is an error naming its line.
//
// The parser is small and hand-written on purpose: the full Dockerfile parser lives in the
// moby/buildkit module, whose ~220 requirements would enter the collector's go.mod and raise
// dependencies the collector release line pins (grpc among them).
package containerimage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Stage is the final stage of a Dockerfile: what the image holds and how it starts.
type Stage struct {
	// Base is the stage's FROM image; Build accepts only "scratch".
	Base string
	// Args are the stage's ARG declarations with their defaults ("" when none).
	Args map[string]string
	// Copies are the COPY instructions, in order.
	Copies []Copy
	// User is the USER value (unexpanded).
	User string
	// Entrypoint and Cmd are the exec-form (JSON array) ENTRYPOINT and CMD.
	Entrypoint []string
	Cmd        []string
	// Labels are the LABEL pairs, values unexpanded (they may reference Args).
	Labels map[string]string
	// Expose lists the EXPOSE ports ("9464" or "9464/tcp").
	Expose []string
}

// Copy is one COPY instruction of the final stage.
type Copy struct {
	// From is the --from stage, or "" for the build context.
	From string
	// Src is the source path (in the stage named by From, or in the build context).
	Src string
	// Dst is the absolute destination path in the image.
	Dst string
	// Line is the Dockerfile line of the instruction, for error messages.
	Line int
}

// ParseFile reads the final stage of the Dockerfile at path.
func ParseFile(path string) (*Stage, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: reading the Dockerfile the caller names is the job
	if err != nil {
		return nil, fmt.Errorf("read Dockerfile: %w", err)
	}
	st, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// instruction is one logical Dockerfile line: continuation lines joined, comments removed.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

// Parse reads a Dockerfile and returns its final stage.
func Parse(r io.Reader) (*Stage, error) {
	instrs, err := splitInstructions(r)
	if err != nil {
		return nil, err
	}
	last := -1
	for i, in := range instrs {
		if in.cmd == "FROM" {
			last = i
		}
	}
	if last < 0 {
		return nil, errors.New("no FROM instruction")
	}
	st := &Stage{Args: map[string]string{}, Labels: map[string]string{}}
	for _, in := range instrs[last:] {
		if err := st.apply(in); err != nil {
			return nil, fmt.Errorf("line %d (%s): %w", in.line, in.cmd, err)
		}
	}
	return st, nil
}

// splitInstructions joins continuation lines and drops comments and blank lines.
func splitInstructions(r io.Reader) ([]instruction, error) {
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(text, "#") || (text == "" && cur.Len() == 0) {
			continue // comments (also between continuation lines) and blank lines
		}
		if cur.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(text, `\`); ok {
			cur.WriteString(cont)
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(text)
		full := strings.TrimSpace(cur.String())
		cur.Reset()
		if full == "" {
			continue
		}
		cmd, args, _ := strings.Cut(full, " ")
		out = append(out, instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read Dockerfile: %w", err)
	}
	if cur.Len() > 0 {
		return nil, fmt.Errorf("line %d: the file ends inside a continued line", start)
	}
	return out, nil
}

func (st *Stage) apply(in instruction) error {
	switch in.cmd {
	case "FROM":
		fields := strings.Fields(in.args)
		if len(fields) == 0 {
			return errors.New("no base image")
		}
		st.Base = fields[0]
	case "ARG":
		for _, a := range strings.Fields(in.args) {
			name, def, _ := strings.Cut(a, "=")
			st.Args[name] = unquote(def)
		}
	case "LABEL":
		pairs, err := keyValues(in.args)
		if err != nil {
			return err
		}
		for k, v := range pairs {
			st.Labels[k] = v
		}
	case "COPY":
		c, err := parseCopy(in)
		if err != nil {
			return err
		}
		st.Copies = append(st.Copies, c)
	case "USER":
		if in.args == "" {
			return errors.New("no user")
		}
		st.User = in.args
	case "ENTRYPOINT", "CMD":
		var argv []string
		if err := json.Unmarshal([]byte(in.args), &argv); err != nil || len(argv) == 0 {
			return errors.New(`want the exec form ["/path", "arg", ...]: the shell form needs a shell, which the image does not have`)
		}
		if in.cmd == "ENTRYPOINT" {
			st.Entrypoint = argv
		} else {
			st.Cmd = argv
		}
	case "EXPOSE":
		st.Expose = append(st.Expose, strings.Fields(in.args)...)
	default:
		return errors.New("not supported in the final stage by the daemonless image build")
	}
	return nil
}

// parseCopy reads `COPY [--from=stage] [--chmod=...] src dst` (one source).
func parseCopy(in instruction) (Copy, error) {
	c := Copy{Line: in.line}
	var paths []string
	for _, f := range strings.Fields(in.args) {
		switch {
		case strings.HasPrefix(f, "--from="):
			c.From = strings.TrimPrefix(f, "--from=")
		case strings.HasPrefix(f, "--"):
			return Copy{}, fmt.Errorf("flag %s is not supported", f)
		default:
			paths = append(paths, f)
		}
	}
	if len(paths) != 2 {
		return Copy{}, fmt.Errorf("want one source and one destination, got %d paths", len(paths))
	}
	c.Src, c.Dst = paths[0], paths[1]
	if !strings.HasPrefix(c.Dst, "/") || strings.HasSuffix(c.Dst, "/") {
		return Copy{}, fmt.Errorf("destination %q must be an absolute file path", c.Dst)
	}
	return c, nil
}

// keyValues reads LABEL's `key=value key2="value 2"` pairs.
func keyValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || strings.ContainsAny(s[:eq], " \t") {
			return nil, fmt.Errorf("want key=value, got %q", s)
		}
		key := s[:eq]
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := closingQuote(s)
			if end < 0 {
				return nil, fmt.Errorf("label %s: unterminated quote", key)
			}
			v, err := strconv.Unquote(s[:end+1])
			if err != nil {
				return nil, fmt.Errorf("label %s: %w", key, err)
			}
			val, s = v, s[end+1:]
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			val, s = s[:end], s[end:]
		}
		out[unquote(key)] = val
	}
	return out, nil
}

// closingQuote returns the index of the quote that closes the string s starts with, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func unquote(s string) string {
	if v, err := strconv.Unquote(s); err == nil {
		return v
	}
	return s
}

var argRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Expand replaces ${NAME} and $NAME in s with the build argument's value: values[NAME] when
// set, else the stage's ARG default. A reference to an undeclared ARG is an error.
func (st *Stage) Expand(s string, values map[string]string) (string, error) {
	var missing []string
	out := argRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := argRef.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		if v, ok := values[name]; ok {
			return v
		}
		if v, ok := st.Args[name]; ok {
			return v
		}
		missing = append(missing, name)
		return m
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("%q uses %v, which the final stage does not declare with ARG", s, missing)
	}
	return out, nil
}
