package jwtauth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

const (
	issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
	audience = "client-1"
)

// keyServer serves a JWKS of the given keys and counts requests.
type keyServer struct {
	keys     map[string]*rsa.PrivateKey
	requests int
}

func (s *keyServer) Do(r *http.Request) (*http.Response, error) {
	s.requests++
	var set jwkset.JWKSMarshal
	for kid, k := range s.keys {
		jwk, err := jwkset.NewJWKFromKey(&k.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, USE: jwkset.UseSig, ALG: jwkset.AlgRS256}})
		if err != nil {
			return nil, err
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	body, _ := json.Marshal(set)
	return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(bytes.NewReader(body))}, nil
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, key any, method jwt.SigningMethod, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	poolKey, otherKey := newKey(t), newKey(t)
	server := &keyServer{keys: map[string]*rsa.PrivateKey{"k1": poolKey}}
	v, err := New(Config{Issuer: issuer, Audience: audience, JWKSURL: "https://keys.example/jwks.json"}, server, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "user-1", "iss": issuer, "aud": audience, "token_use": "id",
			"exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(), "cognito:groups": []string{"customer", "ops"}}
	}
	with := func(k string, val any) jwt.MapClaims { c := good(); c[k] = val; return c }

	id, err := v.Verify(context.Background(), sign(t, poolKey, jwt.SigningMethodRS256, "k1", good()))
	if err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	if id.Subject != "user-1" || !id.InGroup("ops") || !id.InGroup("customer") || id.InGroup("courier") {
		t.Errorf("identity = %+v", id)
	}

	refused := map[string]string{
		"empty":                  "",
		"garbage":                "not.a.token",
		"expired":                sign(t, poolKey, jwt.SigningMethodRS256, "k1", with("exp", now.Add(-time.Second).Unix())),
		"no expiry":              sign(t, poolKey, jwt.SigningMethodRS256, "k1", func() jwt.MapClaims { c := good(); delete(c, "exp"); return c }()),
		"forged signature":       sign(t, otherKey, jwt.SigningMethodRS256, "k1", good()),
		"other pool":             sign(t, poolKey, jwt.SigningMethodRS256, "k1", with("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")),
		"other client":           sign(t, poolKey, jwt.SigningMethodRS256, "k1", with("aud", "client-2")),
		"access token":           sign(t, poolKey, jwt.SigningMethodRS256, "k1", with("token_use", "access")),
		"HS256 with n as secret": sign(t, []byte("secret"), jwt.SigningMethodHS256, "k1", good()),
		"unknown kid":            sign(t, otherKey, jwt.SigningMethodRS256, "k9", good()),
		"no sub":                 sign(t, poolKey, jwt.SigningMethodRS256, "k1", with("sub", "")),
	}
	for name, tok := range refused {
		if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: err = %v, want ErrUnauthenticated", name, err)
		}
	}
	if server.requests != 1 {
		t.Errorf("key set fetched %d times within RefetchAfter, want 1 (cached per container)", server.requests)
	}

	// A rotated-in key is picked up once RefetchAfter has passed.
	newPoolKey := newKey(t)
	server.keys["k2"] = newPoolKey
	now = now.Add(RefetchAfter + time.Second)
	if _, err := v.Verify(context.Background(), sign(t, newPoolKey, jwt.SigningMethodRS256, "k2", good())); err != nil {
		t.Fatalf("token of a rotated-in key refused: %v", err)
	}
	for i := 0; i < 5; i++ {
		_, _ = v.Verify(context.Background(), sign(t, otherKey, jwt.SigningMethodRS256, "random", good()))
	}
	if server.requests != 2 {
		t.Errorf("key set fetched %d times, want 2 (unknown kids must not trigger a fetch each)", server.requests)
	}
}
