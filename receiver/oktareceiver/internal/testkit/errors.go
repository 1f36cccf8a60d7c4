package testkit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// AssertEachErrorOnce fails when one line of a configuration error message appears twice, as
// it does when a nested section is validated both by its parent and by the collector's walk.
// The header line confmap puts before a list of decoding errors is not counted.
func AssertEachErrorOnce(t testing.TB, msg string) {
	t.Helper()
	seen := map[string]bool{}
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasSuffix(line, "decoding failed due to the following error(s):") {
			continue
		}
		assert.False(t, seen[line], "error reported twice: %s", line)
		seen[line] = true
	}
}
