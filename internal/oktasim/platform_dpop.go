package oktasim

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// dpopAlgs are the signature algorithms accepted on DPoP proofs.
var dpopAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512}

// dpopProofClaims are the claims of a DPoP proof JWT (as RFC 9449 defines them).
type dpopProofClaims struct {
	HTM   string  `json:"htm"`
	HTU   string  `json:"htu"`
	IAT   float64 `json:"iat"`
	JTI   string  `json:"jti"`
	ATH   string  `json:"ath"`
	Nonce string  `json:"nonce"`
}

// dpopProof is a verified proof: its claims and the thumbprint of its key.
type dpopProof struct {
	claims dpopProofClaims
	jkt    string
}

// parseDPoPProof verifies the proof's signature with its embedded public
// JWK and checks typ, htm, htu and iat. It returns "" or the
// error_description to send.
func parseDPoPProof(proof, method, url string, now time.Time) (dpopProof, string) {
	sig, err := jose.ParseSignedCompact(proof, dpopAlgs)
	if err != nil || len(sig.Signatures) != 1 {
		return dpopProof{}, "The DPoP proof JWT is malformed or uses an unsupported algorithm."
	}
	hdr := sig.Signatures[0].Protected
	if typ, _ := hdr.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return dpopProof{}, "The DPoP proof JWT 'typ' header must be 'dpop+jwt'."
	}
	if hdr.JSONWebKey == nil || !hdr.JSONWebKey.IsPublic() {
		return dpopProof{}, "The DPoP proof JWT 'jwk' header must hold a public key."
	}
	payload, err := sig.Verify(hdr.JSONWebKey)
	if err != nil {
		return dpopProof{}, "The DPoP proof JWT signature is invalid."
	}
	var c dpopProofClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return dpopProof{}, "The DPoP proof JWT claims cannot be decoded."
	}
	if c.HTM != method {
		return dpopProof{}, "The DPoP proof 'htm' claim does not match the HTTP method of the request."
	}
	// htu is the request URL without query and fragment (RFC 9449 section 4.2): a
	// claim that carries either does not match.
	if c.HTU != url {
		return dpopProof{}, "The DPoP proof 'htu' claim does not match the URL of the request."
	}
	if c.IAT == 0 || math.IsNaN(c.IAT) {
		return dpopProof{}, "The DPoP proof 'iat' claim is missing."
	}
	iat := time.Unix(int64(c.IAT), 0)
	if iat.After(now.Add(dpopProofClockSkew)) || iat.Before(now.Add(-dpopProofMaxAge)) {
		return dpopProof{}, "The DPoP proof 'iat' claim is outside the allowed time window."
	}
	if c.JTI == "" {
		return dpopProof{}, "The DPoP proof 'jti' claim is missing."
	}
	thumb, err := hdr.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil {
		return dpopProof{}, "The DPoP proof JWT 'jwk' header cannot be thumbprinted."
	}
	return dpopProof{claims: c, jkt: base64.RawURLEncoding.EncodeToString(thumb)}, ""
}

// checkTokenDPoP enforces DPoP on a token request: a proof must be present
// and valid and carry a nonce the server issued (the first attempt gets
// 400 use_dpop_nonce with a DPoP-Nonce header). It writes the error itself.
func (p *platform) checkTokenDPoP(w http.ResponseWriter, r *http.Request, now time.Time) (jkt string, ok bool) {
	raw := r.Header.Get("DPoP")
	if raw == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
		return "", false
	}
	proof, desc := parseDPoPProof(raw, r.Method, baseURL(r)+r.URL.Path, now)
	if desc != "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_dpop_proof", desc)
		return "", false
	}
	if proof.claims.Nonce == "" || !p.tokens.validNonce(nonceAuthServer, proof.claims.Nonce, now) {
		w.Header().Set("DPoP-Nonce", p.tokens.newNonce(nonceAuthServer, now, p.opts.OAuth.DPoPNonceLifetime))
		p.stats.do(func(s *PlatformStats) { s.DPoPNonceChallenges++ })
		writeOAuthError(w, http.StatusBadRequest, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof.")
		return "", false
	}
	if !p.tokens.useOnce("dpop:"+proof.claims.JTI, now.Add(dpopProofMaxAge+dpopProofClockSkew)) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_dpop_proof", "The DPoP proof 'jti' has already been used.")
		return "", false
	}
	return proof.jkt, true
}

// verifyResourceDPoP checks the DPoP proof of an API call made with a
// DPoP-bound token; nil means valid. With DPoPResourceNonce a proof must
// carry a nonce of the resource server: the refusal then names
// use_dpop_nonce and hands out a fresh nonce.
func (p *platform) verifyResourceDPoP(r *http.Request, token string, t *accessToken, now time.Time) *authFailure {
	invalid := func(desc string) *authFailure {
		return p.tokenFailure(r, "DPoP", "invalid_dpop_proof", desc)
	}
	raw := r.Header.Get("DPoP")
	if raw == "" {
		return invalid("The DPoP proof JWT header is missing.")
	}
	proof, desc := parseDPoPProof(raw, r.Method, baseURL(r)+r.URL.Path, now)
	if desc != "" {
		return invalid(desc)
	}
	if proof.jkt != t.jkt {
		return invalid("The DPoP proof key does not match the key the access token is bound to.")
	}
	sum := sha256.Sum256([]byte(token))
	if proof.claims.ATH != base64.RawURLEncoding.EncodeToString(sum[:]) {
		return invalid("The DPoP proof 'ath' claim does not match the access token.")
	}
	if p.opts.OAuth.DPoPResourceNonce && (proof.claims.Nonce == "" || !p.tokens.validNonce(nonceResourceServer, proof.claims.Nonce, now)) {
		f := p.tokenFailure(r, "DPoP", "use_dpop_nonce", "Resource server requires nonce in DPoP proof.")
		f.dpopNonce = p.tokens.newNonce(nonceResourceServer, now, p.opts.OAuth.DPoPNonceLifetime)
		p.stats.do(func(s *PlatformStats) { s.DPoPNonceChallenges++ })
		return f
	}
	if !p.tokens.useOnce("dpop:"+proof.claims.JTI, now.Add(dpopProofMaxAge+dpopProofClockSkew)) {
		return invalid("The DPoP proof 'jti' has already been used.")
	}
	return nil
}
