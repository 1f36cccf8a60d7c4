package oktaapi

import (
	"strings"
	"testing"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ (go test fuzz v1 format); run a target with
// go test ./receiver/oktareceiver/internal/oktaapi/ -run '^$' -fuzz FuzzLinkHeader -fuzztime 30s

// FuzzLinkHeader: the Link header parser (links.go) never panics and only returns URIs that
// occur in its input.
func FuzzLinkHeader(f *testing.F) {
	f.Add(`<https://org.example.org/api/v1/logs?after=1_2>; rel="next"`, `<https://org.example.org/api/v1/logs?limit=1000>; rel="self"`)
	f.Add(`<a>; rel=self, <b>; rel="prev next"`, ``)
	f.Add(`<unterminated; rel="next"`, `garbage, <x>;rel=next`)
	f.Fuzz(func(t *testing.T, a, b string) {
		got := parseLinkRel([]string{a, b}, "next")
		if got != "" && !strings.Contains(a, got) && !strings.Contains(b, got) {
			t.Fatalf("returned %q, which is not in the input", got)
		}
	})
}
