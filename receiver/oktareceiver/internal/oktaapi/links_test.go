package oktaapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseLinkRel(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
	}{
		{"okta one header per relation", []string{`<https://o.example/api/v1/users?limit=2>; rel="self"`, `<https://o.example/api/v1/users?after=00u2&limit=2>; rel="next"`}, "https://o.example/api/v1/users?after=00u2&limit=2"},
		{"combined header", []string{`<https://o.example/a>; rel="self", <https://o.example/b?x=1,2>; rel="next"`}, "https://o.example/b?x=1,2"},
		{"bare rel", []string{`<https://o.example/n>; rel=next`}, "https://o.example/n"},
		{"multiple rel types", []string{`<https://o.example/n>; rel="prev next"`}, "https://o.example/n"},
		{"case and spaces", []string{`  < https://o.example/n >  ;  REL = "NEXT" `}, "https://o.example/n"},
		{"other params first", []string{`<https://o.example/n>; title="a;b,c"; rel="next"`}, "https://o.example/n"},
		{"only self", []string{`<https://o.example/a>; rel="self"`}, ""},
		{"no header", nil, ""},
		{"garbage", []string{`garbage; rel="next"`, `<unterminated; rel="next"`}, ""},
		{"garbage then good", []string{`junk, <https://o.example/n>; rel="next"`}, "https://o.example/n"},
		{"empty uri", []string{`<>; rel="next"`}, ""},
		{"nextish rel", []string{`<https://o.example/a>; rel="next-archive"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseLinkRel(tt.values, "next"))
		})
	}
}
