package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// minRSABits is the smallest RSA key accepted for RS256 proofs.
const minRSABits = 2048

// Signer signs DPoP proof JWTs with one private key. It is safe for concurrent use.
type Signer struct {
	signer jose.Signer
	alg    jose.SignatureAlgorithm
	jkt    string
	// now is the clock of the iat claim.
	now func() time.Time
}

// NewSigner returns a signer for key: an ECDSA P-256 key signs with ES256, an RSA key
// of at least 2048 bits with RS256. Every proof carries typ "dpop+jwt" and the public
// key as its jwk header.
func NewSigner(key crypto.Signer) (*Signer, error) {
	var alg jose.SignatureAlgorithm
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on curve %s is not supported; use P-256 (ES256)", k.Curve.Params().Name)
		}
		alg = jose.ES256
	case *rsa.PrivateKey:
		if k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("RSA key has %d bits; at least %d are required", k.N.BitLen(), minRSABits)
		}
		alg = jose.RS256
	default:
		return nil, fmt.Errorf("key type %T is not supported; use an ECDSA P-256 or RSA key", key)
	}
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("dpop signer: %w", err)
	}
	thumb, err := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("dpop key thumbprint: %w", err)
	}
	return &Signer{signer: s, alg: alg, jkt: base64.RawURLEncoding.EncodeToString(thumb), now: time.Now}, nil
}

// GenerateKey returns a fresh ECDSA P-256 key: the key a client uses when none is
// configured (it lives as long as the process; tokens bound to it are fetched again
// after a restart).
func GenerateKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate DPoP key: %w", err)
	}
	return k, nil
}

// Algorithm is the JWS algorithm of the proofs: "ES256" or "RS256".
func (s *Signer) Algorithm() string { return string(s.alg) }

// Thumbprint is the base64url SHA-256 JWK thumbprint of the public key (the jkt an
// authorization server binds tokens to).
func (s *Signer) Thumbprint() string { return s.jkt }

// proofClaims are the claims of a proof; ath and nonce are left out when empty.
type proofClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// Proof signs a proof for one request: htm is method, htu the target URL without its
// query and fragment, iat now, jti 128 random bits. accessToken, when set, becomes ath
// (API calls with a DPoP-bound token); nonce, when set, is the server's last nonce.
func (s *Signer) Proof(method string, target *url.URL, accessToken, nonce string) (string, error) {
	if target == nil || !target.IsAbs() {
		return "", errors.New("dpop proof: the target URL must be absolute")
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("dpop proof jti: %w", err)
	}
	c := proofClaims{JTI: hex.EncodeToString(jti), HTM: method, HTU: HTU(target), IAT: s.now().Unix(), Nonce: nonce}
	if accessToken != "" {
		c.ATH = AccessTokenHash(accessToken)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("dpop proof claims: %w", err)
	}
	sig, err := s.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("dpop proof: %w", err)
	}
	out, err := sig.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("dpop proof: %w", err)
	}
	return out, nil
}

// HTU is the htu claim for u: scheme, host and path, without query and fragment.
func HTU(u *url.URL) string {
	v := *u
	v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment, v.User = "", false, "", "", nil
	return v.String()
}

// AccessTokenHash is the ath claim for token: the base64url (unpadded) SHA-256 of its
// ASCII value.
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
