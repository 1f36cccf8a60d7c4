package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	packPosture    = "okta-posture"
	packDetections = "okta-detections"
	// userRuleset is the security_rule.ruleset.name of rules written in the processor config.
	userRuleset = "user"
)

//go:embed packs/*.yaml
var packFS embed.FS

// packParam declares one parameter of a pack.
type packParam struct {
	Type        string `yaml:"type"` // int | duration | string
	Default     any    `yaml:"default"`
	Description string `yaml:"description"`
}

// packHeader is the first YAML document of a pack file.
type packHeader struct {
	Name        string               `yaml:"name"`
	Description string               `yaml:"description"`
	Params      map[string]packParam `yaml:"params"`
}

// packBody is the second YAML document of a pack file, after parameter substitution.
type packBody struct {
	Rules []RuleConfig `yaml:"rules"`
}

// pack is a shipped rule pack: its parameters and its raw (unsubstituted) rules document.
type pack struct {
	header packHeader
	rules  string
}

// shippedPacks returns every pack embedded in the binary, by name.
func shippedPacks() (map[string]*pack, error) {
	entries, err := packFS.ReadDir("packs")
	if err != nil {
		return nil, fmt.Errorf("read embedded packs: %w", err)
	}
	packs := make(map[string]*pack, len(entries))
	for _, e := range entries {
		raw, err := packFS.ReadFile("packs/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read pack %s: %w", e.Name(), err)
		}
		p, err := parsePackFile(raw)
		if err != nil {
			return nil, fmt.Errorf("pack file %s: %w", e.Name(), err)
		}
		packs[p.header.Name] = p
	}
	return packs, nil
}

// parsePackFile splits a pack file into its header document and its templated rules document.
func parsePackFile(raw []byte) (*pack, error) {
	head, rules, ok := bytes.Cut(raw, []byte("\n---\n"))
	if !ok {
		return nil, errors.New(`expected a header document and a rules document separated by "---"`)
	}
	var h packHeader
	if err := yaml.Unmarshal(head, &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if h.Name == "" {
		return nil, errors.New("header: name is empty")
	}
	return &pack{header: h, rules: string(rules)}, nil
}

// packNames lists the shipped pack names, sorted (for error messages).
func packNames(packs map[string]*pack) []string {
	names := make([]string, 0, len(packs))
	for n := range packs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// resolveParams merges the user's params over the defaults of the selected packs. A key that no
// selected pack declares, or a value of the wrong type, is an error naming the key.
func resolveParams(selected []*pack, user map[string]any) (map[string]any, error) {
	decl := map[string]packParam{}
	values := map[string]any{}
	for _, p := range selected {
		for k, d := range p.header.Params {
			v, err := coerceParam(d.Type, d.Default)
			if err != nil {
				return nil, fmt.Errorf("pack %s: default of param %q: %w", p.header.Name, k, err)
			}
			decl[k] = d
			values[k] = v
		}
	}
	var errs []error
	keys := make([]string, 0, len(user))
	for k := range user {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d, ok := decl[k]
		if !ok {
			names := make([]string, 0, len(decl))
			for n := range decl {
				names = append(names, n)
			}
			sort.Strings(names)
			errs = append(errs, fmt.Errorf("params: unknown param %q%s; the selected packs declare: %s", k, didYouMean(k, names), strings.Join(names, ", ")))
			continue
		}
		v, err := coerceParam(d.Type, user[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("params: %q: %w", k, err))
			continue
		}
		values[k] = v
	}
	return values, errors.Join(errs...)
}

// coerceParam converts a YAML/confmap value to the declared parameter type.
func coerceParam(typ string, v any) (any, error) {
	switch typ {
	case "int":
		switch n := v.(type) {
		case int:
			return n, nil
		case int64:
			return int(n), nil
		case uint64:
			if n > math.MaxInt {
				return nil, fmt.Errorf("want an integer, got %d (out of range)", n)
			}
			return int(n), nil
		case float64:
			if n != float64(int(n)) {
				return nil, fmt.Errorf("want an integer, got %v", n)
			}
			return int(n), nil
		case string:
			i, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil {
				return nil, fmt.Errorf("want an integer, got %q", n)
			}
			return i, nil
		}
		return nil, fmt.Errorf("want an integer, got %T", v)
	case "duration":
		switch d := v.(type) {
		case time.Duration:
			return d, nil
		case string:
			parsed, err := time.ParseDuration(d)
			if err != nil || parsed <= 0 {
				return nil, fmt.Errorf("want a positive duration such as 10m, got %q", d)
			}
			return parsed, nil
		}
		return nil, fmt.Errorf("want a duration such as 10m, got %T", v)
	case "string":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("want a string, got %T", v)
	}
	return nil, fmt.Errorf("unsupported param type %q", typ)
}

// templateFuncs are available inside pack rules: {{.min_password_length}}, {{hours .stale_user_days}}.
var templateFuncs = template.FuncMap{
	// hours renders a number of days as hours, for Duration("{{hours .x}}h").
	"hours": func(days int) int { return days * 24 },
	// seconds renders a duration as integer seconds.
	"seconds": func(d time.Duration) int64 { return int64(d / time.Second) },
}

// expandPack substitutes the params into the rules document and decodes it.
func expandPack(p *pack, params map[string]any) ([]RuleConfig, error) {
	tmpl, err := template.New(p.header.Name).Funcs(templateFuncs).Option("missingkey=error").Parse(p.rules)
	if err != nil {
		return nil, fmt.Errorf("pack %s: template: %w", p.header.Name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, params); err != nil {
		return nil, fmt.Errorf("pack %s: substitute params: %w", p.header.Name, err)
	}
	var body packBody
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("pack %s: rules: %w", p.header.Name, err)
	}
	return body.Rules, nil
}
