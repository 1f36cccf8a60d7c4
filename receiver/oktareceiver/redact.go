package oktareceiver

// redactedValue replaces every secret in an inventory body.
const redactedValue = "[REDACTED]"

// secretKeys are field names (lower case, without '_' and '-') whose values are secrets
// wherever they appear: OAuth client secrets, private keys, passwords and their hashes,
// shared secrets, tokens, recovery answers.
var secretKeys = map[string]bool{
	"clientsecret": true, "secret": true, "sharedsecret": true, "privatekey": true,
	"password": true, "passwordhash": true,
	"token": true, "accesstoken": true, "refreshtoken": true, "apitoken": true, "apikey": true,
	"answer": true, "hmackey": true, "secretkey": true, "bindpassword": true, "authtoken": true,
	"clientassertion": true, "signingsecret": true, "webhooksecret": true, "hectoken": true,
}

// privateJWKMembers are the private members of a JSON Web Key (RFC 7518 §6.2.2, §6.3.2, §6.4).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// redactSecrets replaces secrets in the decoded object v in place and returns v:
//   - any non-empty value under a secret key (secretKeys), nested values included;
//   - the "value" of an authScheme object (event hook authentication) and of every
//     {key, value} item of a "headers" list (hook headers often carry credentials);
//   - the private members of a JWK (an object with "kty").
//
// Every other field is kept as it is. Empty objects ("password": {}) stay: they say that
// a password exists without revealing it.
func redactSecrets(v any) any {
	redactWalk(v, parentOther, 0)
	return v
}

// parentKind says under which kind of key a value sits (for the "value" rules).
type parentKind uint8

const (
	parentOther parentKind = iota
	parentAuthScheme
	parentHeaders
)

// normKey writes k lower-cased and without '_' and '-' into buf and returns it. Keys
// longer than buf are cut: no secret key is that long, so a cut key never matches one.
func normKey(buf *[64]byte, k string) []byte {
	b := buf[:0]
	for i := 0; i < len(k) && len(b) < len(buf); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func redactWalk(v any, parent parentKind, depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if _, isJWK := x["kty"]; isJWK {
			for _, m := range privateJWKMembers {
				if _, ok := x[m]; ok {
					x[m] = redactedValue
				}
			}
		}
		var buf [64]byte
		for k, val := range x {
			nk := normKey(&buf, k)
			switch {
			case secretKeys[string(nk)]:
				x[k] = redactAll(val)
			case string(nk) == "value" && (parent == parentAuthScheme || parent == parentHeaders):
				x[k] = redactAll(val)
			default:
				kind := parentOther
				switch string(nk) {
				case "authscheme":
					kind = parentAuthScheme
				case "headers":
					kind = parentHeaders
				}
				redactWalk(val, kind, depth+1)
			}
		}
	case []any:
		for _, e := range x {
			redactWalk(e, parent, depth+1)
		}
	}
}

// redactAll replaces every scalar leaf under v; empty containers and nulls stay.
func redactAll(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		for k, val := range x {
			x[k] = redactAll(val)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = redactAll(e)
		}
		return x
	case string:
		if x == "" {
			return x
		}
		return redactedValue
	case bool:
		return x // a flag is not a secret (e.g. "token": true feature switches)
	default:
		return redactedValue
	}
}
