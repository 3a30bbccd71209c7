// Package jwtauth verifies Cognito ID tokens where API Gateway does not: the WebSocket API's $connect has no JWT
// authorizer, so the function checks the token itself. The signature is checked against the user pool's published
// keys (JWKS) with golang-jwt/jwt/v5; the keys are parsed by MicahParks/jwkset. Both were picked over
// lestrrat-go/jwx/v3 for cold start (docs/realtime.md has the measurement).
//
// The keys are fetched once per container, on the first token, and again only when a token names a key id the
// cache lacks (Cognito rotates keys by publishing the new one first), at most once per RefetchAfter: a stream of
// forged tokens with random key ids cannot make the function fetch per message.
package jwtauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// ErrUnauthenticated is returned for every token that must be refused; the wrapped message says why, for the log
// only (the caller tells the client nothing more than 401).
var ErrUnauthenticated = errors.New("unauthenticated")

// Config names the pool whose ID tokens are accepted.
type Config struct {
	// Issuer is the pool's issuer, https://cognito-idp.<region>.amazonaws.com/<pool id> (also on the emulator).
	Issuer string
	// Audience is the app client id (an ID token's aud).
	Audience string
	// JWKSURL is where the pool publishes its keys: <Issuer>/.well-known/jwks.json on AWS; the emulator serves
	// them on its own endpoint. Set per stage by infra.
	JWKSURL string
}

// RefetchAfter is the least time between two fetches of the keys.
const RefetchAfter = time.Minute

// Doer is the HTTP client the keys are fetched with (the SDK's buildable client in functions: it honours the
// machine's CA bundle and has a timeout).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Identity is who a verified token names.
type Identity struct {
	Subject   string
	Groups    []string
	ExpiresAt time.Time
}

// InGroup reports membership of a Cognito group.
func (id Identity) InGroup(g string) bool {
	for _, x := range id.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// Verifier checks tokens of one pool. Safe for concurrent use.
type Verifier struct {
	cfg    Config
	client Doer
	now    func() time.Time
	parser *jwt.Parser

	mu        sync.Mutex
	keys      map[string]any // kid → public key
	fetchedAt time.Time
	fetches   int
}

// New returns a verifier; it fetches nothing until the first token.
func New(cfg Config, client Doer, now func() time.Time) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" || cfg.JWKSURL == "" {
		return nil, errors.New("jwtauth: Issuer, Audience and JWKSURL are required")
	}
	v := &Verifier{cfg: cfg, client: client, now: now}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}), // Cognito signs with RS256; anything else (none, HS256) is refused
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	return v, nil
}

// Fetches is how many times the keys were fetched (tests check the cache).
func (v *Verifier) Fetches() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fetches
}

type claims struct {
	jwt.RegisteredClaims
	TokenUse string          `json:"token_use"`
	Groups   json.RawMessage `json:"cognito:groups"`
}

// Verify checks the token's signature, issuer, audience, expiry and token_use=id.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	if token == "" {
		return Identity{}, fmt.Errorf("%w: no token", ErrUnauthenticated)
	}
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return v.key(ctx, kid)
	})
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	if c.TokenUse != "id" {
		return Identity{}, fmt.Errorf("%w: token_use is %q, want id", ErrUnauthenticated, c.TokenUse)
	}
	if c.Subject == "" {
		return Identity{}, fmt.Errorf("%w: no sub", ErrUnauthenticated)
	}
	return Identity{Subject: c.Subject, Groups: groupList(c.Groups), ExpiresAt: c.ExpiresAt.Time}, nil
}

// key returns the public key of kid, fetching the key set when it is not cached and the last fetch is old enough.
func (v *Verifier) key(ctx context.Context, kid string) (any, error) {
	if kid == "" {
		return nil, errors.New("token has no kid")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	if v.keys != nil && v.now().Sub(v.fetchedAt) < RefetchAfter {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	keys, err := v.fetch(ctx)
	v.fetchedAt = v.now()
	v.fetches++
	if err != nil {
		return nil, fmt.Errorf("fetch keys: %w", err)
	}
	v.keys = keys
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown key id %q", kid)
}

func (v *Verifier) fetch(ctx context.Context) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", v.cfg.JWKSURL, resp.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("decode key set: %w", err)
	}
	jwks, err := set.JWKSlice()
	if err != nil {
		return nil, fmt.Errorf("parse key set: %w", err)
	}
	keys := make(map[string]any, len(jwks))
	for _, k := range jwks {
		m := k.Marshal()
		if m.KID == "" || (m.USE != "" && m.USE != jwkset.UseSig) {
			continue
		}
		keys[m.KID] = k.Key()
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no signing key")
	}
	return keys, nil
}

// groupList reads cognito:groups, a JSON array in an ID token (also accepted: a bare string).
func groupList(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.Fields(strings.Trim(s, "[]"))
	}
	return nil
}
