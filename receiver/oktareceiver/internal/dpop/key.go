package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParsePrivateKey reads a DPoP private key from PEM: "EC PRIVATE KEY" (SEC 1),
// "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8 holding an EC or RSA key). The
// key must suit NewSigner (P-256, or RSA of at least 2048 bits). Errors never contain
// key material.
func ParsePrivateKey(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found (expected an EC P-256 or RSA private key in PEM form)")
	}
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errors.New("encrypted private keys are not supported; decrypt it with openssl " +
			"(openssl pkey -in encrypted.pem -out key.pem) and keep the result readable only by the collector")
	}
	var key crypto.Signer
	switch block.Type {
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("invalid SEC 1 EC private key")
		}
		key = k
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#1 RSA private key")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#8 private key")
		}
		switch k := k.(type) {
		case *ecdsa.PrivateKey:
			key = k
		case *rsa.PrivateKey:
			key = k
		default:
			return nil, fmt.Errorf("PKCS#8 key is %T; DPoP needs an EC P-256 (ES256) or RSA (RS256) key", k)
		}
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want \"EC PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"PRIVATE KEY\")", block.Type)
	}
	if _, err := NewSigner(key); err != nil {
		return nil, err
	}
	return key, nil
}

// SamePublicKey reports whether a and b are the same key pair.
func SamePublicKey(a, b crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pa, ok := a.Public().(equaler)
	return ok && pa.Equal(b.Public())
}
