package resource

import "slices"

// Scopes returns the OAuth scopes that read every type, and extra (the System Log's), sorted
// and without repeats: the default scopes of an OAuth service app.
func Scopes(extra ...string) []string {
	out := slices.Clone(extra)
	for i := range table {
		out = append(out, table[i].Scope)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
