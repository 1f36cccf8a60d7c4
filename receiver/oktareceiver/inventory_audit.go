package oktareceiver

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// attrChangeValues is the attribute of a change record that carries the before and after
// values of the audited fields it touches: a list of maps {path, before, after}, with
// before_truncated/after_truncated set on a value cut at maxAuditValueBytes.
const attrChangeValues = "okta.change.values"

// auditedPaths are the audited field paths of typ (the resource table's Audited).
func auditedPaths(typ string) []string {
	if spec := resource.Lookup(resource.Type(typ)); spec != nil {
		return spec.Audited
	}
	return nil
}

// Bounds of the audited values of one object: a value longer than maxAuditValueBytes (its
// JSON text) is kept as a string of its first maxAuditValueBytes bytes and marked truncated;
// at most maxAuditFields fields (the first in path order) are kept.
const (
	maxAuditValueBytes = 1024
	maxAuditFields     = 64
)

// audited reports whether path of type typ is audited.
func audited(typ, path string) bool {
	for _, p := range auditedPaths(typ) {
		if p == path {
			return true
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// auditSet is the encoded audited values of one object (encodeAudit) with the sorted field
// paths of the object's fingerprint shape, which the encoding refers to by index: a path is
// stored once per shape, not once per object.
type auditSet struct {
	enc   string
	paths []string
}

// auditValue is the value of one audited field: its JSON text, redacted.
type auditValue struct {
	path      string
	json      string
	truncated bool
}

// extractAudit returns the audited values of obj (an object of type typ as Okta sent it),
// encoded for the state (encodeAudit) against paths, the sorted field paths of obj's
// fingerprint. Secrets are redacted with the receiver's exact-path table before anything is
// kept; obj is not modified.
func extractAudit(typ string, obj map[string]any, paths []string) string {
	if len(auditedPaths(typ)) == 0 {
		return ""
	}
	var vals []auditValue
	add := func(top, sub string, v any) {
		path := top
		if sub != "" {
			path = top + "." + sub
		}
		if !audited(typ, path) {
			return
		}
		vals = append(vals, auditJSON(typ, top, sub, path, v))
	}
	for k, v := range obj {
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			for k2, v2 := range m {
				add(k, k2, v2)
			}
			continue
		}
		add(k, "", v)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i].path < vals[j].path })
	if len(vals) > maxAuditFields {
		vals = vals[:maxAuditFields]
	}
	return encodeAudit(vals, paths)
}

// auditJSON renders the value v at top(.sub) as redacted JSON text, cut to the bound.
func auditJSON(typ, top, sub, path string, v any) auditValue {
	if tree := secretTrees[typ]; tree != nil && tree.keys[top] != nil {
		// Redact a copy placed where it sits in the object, so that the exact paths apply.
		var cp any
		if b, err := json.Marshal(v); err == nil {
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			_ = dec.Decode(&cp)
		}
		wrapper := map[string]any{top: cp}
		if sub != "" {
			wrapper[top] = map[string]any{sub: cp}
		}
		redactSecrets(typ, wrapper)
		if sub != "" {
			v = wrapper[top].(map[string]any)[sub]
		} else {
			v = wrapper[top]
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte("null")
	}
	av := auditValue{path: path, json: string(b)}
	if len(b) > maxAuditValueBytes {
		av.json, av.truncated = string(b[:maxAuditValueBytes]), true
	}
	return av
}

// encodeAudit packs values (sorted by path) in one string: per value the index of its path
// in paths, a truncated flag and its length-prefixed JSON text. A value whose path is not in
// paths is dropped.
func encodeAudit(vals []auditValue, paths []string) string {
	if len(vals) == 0 {
		return ""
	}
	var b []byte
	for _, v := range vals {
		i := sort.SearchStrings(paths, v.path)
		if i >= len(paths) || paths[i] != v.path {
			continue
		}
		b = binary.AppendUvarint(b, uint64(i))
		flag := byte(0)
		if v.truncated {
			flag = 1
		}
		b = append(b, flag)
		b = binary.AppendUvarint(b, uint64(len(v.json)))
		b = append(b, v.json...)
	}
	return string(b)
}

// decodeAudit unpacks encodeAudit; what cannot be read is dropped.
func decodeAudit(a auditSet) []auditValue {
	var out []auditValue
	b := []byte(a.enc)
	next := func() (string, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return "", false
		}
		v := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return v, true
	}
	for len(b) > 0 {
		i, k := binary.Uvarint(b)
		if k <= 0 || i >= uint64(len(a.paths)) || len(b) == k {
			break
		}
		path := a.paths[i]
		b = b[k:]
		truncated := b[0] == 1
		b = b[1:]
		val, ok := next()
		if !ok {
			break
		}
		out = append(out, auditValue{path: path, json: val, truncated: truncated})
	}
	return out
}

// changeValue is one entry of okta.change.values (nil before or after: the side is absent).
type changeValue struct {
	path          string
	before, after *auditValue
}

// changeValues pairs the audited values before and after a change, for the changed paths
// (nil: every audited path of either side, as for a creation or a deletion).
func changeValues(before, after auditSet, changed []string) []changeValue {
	bv, av := decodeAudit(before), decodeAudit(after)
	byPath := map[string]*changeValue{}
	var order []string
	get := func(p string) *changeValue {
		cv, ok := byPath[p]
		if !ok {
			cv = &changeValue{path: p}
			byPath[p] = cv
			order = append(order, p)
		}
		return cv
	}
	want := func(string) bool { return true }
	if changed != nil {
		set := make(map[string]bool, len(changed))
		for _, p := range changed {
			set[p] = true
		}
		want = func(p string) bool { return set[p] }
	}
	for i := range bv {
		if want(bv[i].path) {
			get(bv[i].path).before = &bv[i]
		}
	}
	for i := range av {
		if want(av[i].path) {
			get(av[i].path).after = &av[i]
		}
	}
	sort.Strings(order)
	out := make([]changeValue, 0, len(order))
	for _, p := range order {
		cv := byPath[p]
		if cv.before != nil && cv.after != nil && cv.before.json == cv.after.json && cv.before.truncated == cv.after.truncated {
			continue // a 16-bit field hash collision named a path that did not change
		}
		out = append(out, *cv)
	}
	return out
}

// putChangeValues sets okta.change.values on attrs.
func putChangeValues(attrs pcommon.Map, vals []changeValue) {
	s := attrs.PutEmptySlice(attrChangeValues)
	s.EnsureCapacity(len(vals))
	for _, cv := range vals {
		m := s.AppendEmpty().SetEmptyMap()
		m.PutStr("path", cv.path)
		putAuditSide(m, "before", cv.before)
		putAuditSide(m, "after", cv.after)
	}
}

// putAuditSide sets key to the value of v (absent when v is nil); a truncated value is the
// string of its first bytes, with key_truncated = true.
func putAuditSide(m pcommon.Map, key string, v *auditValue) {
	if v == nil {
		return
	}
	if v.truncated {
		m.PutStr(key, v.json)
		m.PutBool(key+"_truncated", true)
		return
	}
	var x any
	dec := json.NewDecoder(strings.NewReader(v.json))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		m.PutStr(key, v.json)
		return
	}
	emit.SetValue(m.PutEmpty(key), x)
}
