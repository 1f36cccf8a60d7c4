package statestore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPackedIDsRoundTrip(t *testing.T) {
	for _, ids := range [][]string{
		nil,
		{""},
		{"00u1", "00g1/00u1", "", "\x00\x01", strings.Repeat("x", 300)},
	} {
		var got []string
		eachPacked(packIDs(ids), func(id string) { got = append(got, id) })
		assert.Equal(t, len(ids), len(got))
		for i := range ids {
			assert.Equal(t, ids[i], got[i])
		}
	}
	var got []string
	eachPacked("\x05ab", func(id string) { got = append(got, id) })
	assert.Empty(t, got, "a length past the end is not read")
}
