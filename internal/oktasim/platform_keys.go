package oktasim

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/go-jose/go-jose/v4"
)

// parseRSAPublicKey reads an RSA public key from PEM ("PUBLIC KEY",
// "RSA PUBLIC KEY", "CERTIFICATE", or a private key whose public half is
// used) or from a JSON Web Key.
func parseRSAPublicKey(data []byte) (*rsa.PublicKey, error) {
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(trimmed); err != nil {
			return nil, fmt.Errorf("parse JWK: %w", err)
		}
		switch k := jwk.Key.(type) {
		case *rsa.PublicKey:
			return k, nil
		case *rsa.PrivateKey:
			return &k.PublicKey, nil
		}
		return nil, fmt.Errorf("JWK holds a %T, want an RSA key", jwk.Key)
	}
	block, _ := pem.Decode(trimmed)
	if block == nil {
		return nil, errors.New("no PEM block or JWK found")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	case "RSA PRIVATE KEY":
		var priv *rsa.PrivateKey
		if priv, err = x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
			key = &priv.PublicKey
		}
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		if priv, ok := key.(*rsa.PrivateKey); ok {
			key = &priv.PublicKey
		}
	default:
		return nil, fmt.Errorf("PEM block %q: want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse PEM %q: %w", block.Type, err)
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("PEM %q holds a %T, want an RSA key", block.Type, key)
	}
	return pub, nil
}

// generateClientKey creates an RSA key pair for the demo OAuth app and
// writes the private key (PKCS#1 PEM, mode 0600) to path and the public key
// (PKIX PEM) to path + ".pub".
func generateClientKey(path string) (*rsa.PublicKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
	if err := os.WriteFile(path, privPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write OAuth client private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encode OAuth client public key: %w", err)
	}
	if err := os.WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return nil, fmt.Errorf("write OAuth client public key: %w", err)
	}
	return &priv.PublicKey, nil
}

// resolveClientKey returns the OAuth app's public key from the options, or
// nil when OAuth is not configured.
func (o *OAuthOptions) resolveClientKey() (*rsa.PublicKey, error) {
	switch {
	case o.PublicKey != nil:
		return o.PublicKey, nil
	case len(o.PublicKeyPEM) > 0:
		k, err := parseRSAPublicKey(o.PublicKeyPEM)
		if err != nil {
			return nil, fmt.Errorf("oauth public key: %w", err)
		}
		return k, nil
	case o.PublicKeyFile != "":
		data, err := os.ReadFile(o.PublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("oauth public key file: %w", err)
		}
		k, err := parseRSAPublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("oauth public key file %s: %w", o.PublicKeyFile, err)
		}
		return k, nil
	case o.GenerateKeyFile != "":
		return generateClientKey(o.GenerateKeyFile)
	}
	return nil, nil
}
