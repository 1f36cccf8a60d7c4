package rulesprocessor // import "github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor"

import (
	"fmt"

	"github.com/agnivade/levenshtein"
)

// didYouMean returns ` (did you mean "x"?)` for the candidate closest to s when it is close
// enough to be a likely typo, else "". Close enough: at most two edits (a third of s for longer
// names), and fewer edits than s has letters.
func didYouMean(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(s, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	n := len([]rune(s))
	if bestDist < 0 || bestDist > max(2, n/3) || bestDist >= n {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
