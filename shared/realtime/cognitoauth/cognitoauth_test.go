package cognitoauth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/jwtauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/cognitoauth"
)

type verifier map[string]jwtauth.Identity

func (v verifier) Verify(_ context.Context, token string) (jwtauth.Identity, error) {
	id, ok := v[token]
	if !ok {
		return jwtauth.Identity{}, errors.New("forged")
	}
	return id, nil
}

func TestTheOpsGroupWatchesAnyOrderAndOthersOnlyTheirOwn(t *testing.T) {
	exp := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	auth := cognitoauth.New(verifier{
		"ops":      {Subject: "o-1", Groups: []string{"courier", cognitoauth.OpsGroup}, ExpiresAt: exp},
		"customer": {Subject: "c-1", Groups: []string{"customer"}, ExpiresAt: exp},
	})
	ops, err := auth.Authenticate(context.Background(), "ops")
	if err != nil || !ops.Ops || ops.Subject != "o-1" || !ops.ExpiresAt.Equal(exp) {
		t.Fatalf("ops token: %+v, %v", ops, err)
	}
	customer, err := auth.Authenticate(context.Background(), "customer")
	if err != nil || customer.Ops || customer.Subject != "c-1" {
		t.Fatalf("customer token: %+v, %v", customer, err)
	}
	if id, err := auth.Authenticate(context.Background(), "forged"); err == nil || id.Subject != "" {
		t.Fatalf("a token the verifier refuses must be refused: %+v, %v", id, err)
	}
}

func TestTheOpsGroupIsTheHTTPAPIsOpsGroup(t *testing.T) {
	if cognitoauth.OpsGroup != httpapi.GroupOps {
		t.Fatalf("OpsGroup %q, httpapi.GroupOps %q: one Cognito group grants ops on both APIs", cognitoauth.OpsGroup, httpapi.GroupOps)
	}
}
