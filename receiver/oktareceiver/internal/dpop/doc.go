// Package dpop implements the client side of OAuth 2.0 Demonstrating Proof of
// Possession (RFC 9449) as Okta uses it for service apps: a proof signer (ES256 with a
// P-256 key, RS256 with an RSA key), a store of the nonces each server hands out in
// DPoP-Nonce answer headers, and a Session that decides when a request carries a proof
// and when a refused request is sent once more with a fresh nonce.
//
// The package knows nothing of the receiver's configuration or HTTP client: callers
// build requests, ask for a proof, send, and show the answer to the Session.
package dpop
