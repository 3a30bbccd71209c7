// Package cognitoauth authenticates live-tracking sockets with a Cognito ID token verifier
// (shared/platform/jwtauth). It is apart from shared/realtime so that the packages every function links through
// the store (shared/store implements the realtime ports) do not bring the JWT library with them: only the
// realtime function, which verifies tokens at $connect, links it.
package cognitoauth

import (
	"context"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/jwtauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
)

// OpsGroup is the Cognito group whose members may watch any order: httpapi.GroupOps, which this package does not
// import so that the realtime function does not link the HTTP API's packages (a test holds the two equal).
const OpsGroup = "ops"

// Verifier is what jwtauth.Verifier offers.
type Verifier interface {
	Verify(ctx context.Context, token string) (jwtauth.Identity, error)
}

type authenticator struct{ v Verifier }

// New authenticates with a Cognito ID token verifier; members of OpsGroup watch any order.
func New(v Verifier) realtime.Authenticator { return authenticator{v} }

func (a authenticator) Authenticate(ctx context.Context, token string) (realtime.Identity, error) {
	id, err := a.v.Verify(ctx, token)
	if err != nil {
		return realtime.Identity{}, err
	}
	return realtime.Identity{Subject: id.Subject, Ops: id.InGroup(OpsGroup), ExpiresAt: id.ExpiresAt}, nil
}
