package inventory

import (
	"strings"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/resource"
)

// redactedValue replaces every secret in an inventory body.
const redactedValue = "[REDACTED]"

// secretPaths are the exact places of secrets in the body of each resource type: the
// resource table's Secrets. A path names fields from the top of the object, "." between keys
// and "[]" after a key whose value is an array (every element). Only these exact places are
// redacted: a key that names a secret in one place names a setting in another (a password
// policy's settings.password.complexity.minLength, an identity provider's
// protocol.endpoints.token.url), and posture rules need the settings as Okta sent them.
var secretPaths = func() map[string][]string {
	out := map[string][]string{}
	for _, spec := range resource.All() {
		if len(spec.Secrets) > 0 {
			out[string(spec.Type)] = spec.Secrets
		}
	}
	return out
}()

// secretNode is one step of the compiled secretPaths of a type: the keys below it, the
// node applied to every element when its value is an array, and whether it is a secret.
type secretNode struct {
	keys   map[string]*secretNode
	each   *secretNode
	secret bool
}

// secretTrees are secretPaths compiled per resource type.
var secretTrees = compileSecretPaths(secretPaths)

func compileSecretPaths(table map[string][]string) map[string]*secretNode {
	trees := make(map[string]*secretNode, len(table))
	for typ, paths := range table {
		root := &secretNode{}
		for _, path := range paths {
			n := root
			for _, seg := range strings.Split(path, ".") {
				key, isArray := strings.CutSuffix(seg, "[]")
				n = n.child(key)
				if isArray {
					if n.each == nil {
						n.each = &secretNode{}
					}
					n = n.each
				}
			}
			n.secret = true
		}
		trees[typ] = root
	}
	return trees
}

func (n *secretNode) child(key string) *secretNode {
	if n.keys == nil {
		n.keys = map[string]*secretNode{}
	}
	c, ok := n.keys[key]
	if !ok {
		c = &secretNode{}
		n.keys[key] = c
	}
	return c
}

// redactSecrets replaces, in place, the secrets of obj (an object of resource type typ
// as Okta returned it) at the paths of secretPaths, and returns obj. A secret that is
// absent, null, an empty string or an empty object or array stays as it is: it reveals
// nothing. Every other field is kept exactly as Okta sent it.
func redactSecrets(typ string, obj map[string]any) map[string]any {
	if tree := secretTrees[typ]; tree != nil {
		redactAt(tree, obj)
	}
	return obj
}

// redactAt walks v along n.
func redactAt(n *secretNode, v any) {
	switch x := v.(type) {
	case map[string]any:
		for key, child := range n.keys {
			val, ok := x[key]
			if !ok {
				continue
			}
			if child.secret && !isEmptyValue(val) {
				x[key] = redactedValue
				continue
			}
			redactAt(child, val)
		}
	case []any:
		if n.each == nil {
			return
		}
		for i, e := range x {
			if n.each.secret && !isEmptyValue(e) {
				x[i] = redactedValue
				continue
			}
			redactAt(n.each, e)
		}
	}
}

// isEmptyValue reports whether a decoded JSON value carries nothing to hide.
func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}
