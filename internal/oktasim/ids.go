package oktasim

import "math/rand/v2"

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newOktaID returns a 20-character Okta-style id: the 3-character type prefix
// ("00u" users, "00g" groups, "0oa" apps, "00p" policies, "0pr" rules,
// "nzo" zones, ...) followed by 17 characters drawn from rng, so that a seeded
// generator produces the same ids every run.
func newOktaID(rng *rand.Rand, prefix string) string {
	b := make([]byte, 20)
	copy(b, prefix)
	for i := len(prefix); i < 20; i++ {
		b[i] = idAlphabet[rng.IntN(len(idAlphabet))]
	}
	return string(b)
}
