package infra

import (
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// TokenLifetimes are the app client's: an ID token (what the API takes) lives an hour, so a stolen one is
// short-lived; the refresh token a month, after which the user signs in again.
var TokenLifetimes = struct{ ID, Access, Refresh time.Duration }{
	ID: time.Hour, Access: time.Hour, Refresh: 30 * 24 * time.Hour,
}

// Groups are the roles the handlers check (cognito:groups claim).
var Groups = []string{"customer", "courier", "ops"}

type auth struct {
	pool   awscognito.UserPool
	client awscognito.UserPoolClient
}

func newAuth(scope constructs.Construct, cfg stageConfig) *auth {
	pool := awscognito.NewUserPool(scope, jsii.String("UserPool"), &awscognito.UserPoolProps{
		SelfSignUpEnabled: jsii.Bool(true),
		SignInAliases:     &awscognito.SignInAliases{Username: jsii.Bool(true)},
		// Email is kept but optional, so local tests and demo users need no mailbox.
		StandardAttributes: &awscognito.StandardAttributes{
			Email: &awscognito.StandardAttribute{Required: jsii.Bool(false), Mutable: jsii.Bool(true)},
		},
		PasswordPolicy: &awscognito.PasswordPolicy{
			// 12 or more (issue 11); the demo password, demo-password-1, has 15.
			MinLength:        jsii.Number(12),
			RequireLowercase: jsii.Bool(true),
			RequireDigits:    jsii.Bool(true),
			RequireUppercase: jsii.Bool(false),
			RequireSymbols:   jsii.Bool(false),
		},
		// Any account may add an authenticator app (TOTP) and then must use it; ops accounts should. Cognito
		// cannot require MFA per group without a Lambda trigger; SMS is off (cost, SIM swapping).
		Mfa:             awscognito.Mfa_OPTIONAL,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery: awscognito.AccountRecovery_EMAIL_ONLY,
		RemovalPolicy:   cfg.removal,
	})
	for i, g := range Groups {
		pool.AddGroup(jsii.String(groupID(g)), &awscognito.UserPoolGroupOptions{
			GroupName:  jsii.String(g),
			Precedence: jsii.Number(float64(len(Groups) - i)), // ops wins when a user is in several
		})
	}
	// A public client: the web app and the tests run in places that cannot keep a secret.
	// Refresh tokens (ALLOW_REFRESH_TOKEN_AUTH) are always enabled by the L2.
	client := pool.AddClient(jsii.String("AppClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  authFlows(cfg),
		DisableOAuth:               jsii.Bool(true), // no hosted UI: the app signs in through the API flows
		IdTokenValidity:            awscdk.Duration_Minutes(jsii.Number(TokenLifetimes.ID.Minutes())),
		AccessTokenValidity:        awscdk.Duration_Minutes(jsii.Number(TokenLifetimes.Access.Minutes())),
		RefreshTokenValidity:       awscdk.Duration_Minutes(jsii.Number(TokenLifetimes.Refresh.Minutes())),
		PreventUserExistenceErrors: jsii.Bool(true),
	})
	return &auth{pool: pool, client: client}
}

// authFlows: the web app signs in by SRP (USER_SRP_AUTH), in which the password never leaves the browser. That is
// all the aws stage allows. The local stage also allows the password flows, USER_PASSWORD_AUTH and its admin form,
// because the Go tools and tests (shared/devstack, scripts/token.sh, the courier simulator) sign in with them: the
// AWS SDK for Go has no SRP, and they only ever talk to the emulator (docs/security.md).
func authFlows(cfg stageConfig) *awscognito.AuthFlow {
	return &awscognito.AuthFlow{
		UserSrp:           jsii.Bool(true),
		UserPassword:      jsii.Bool(!cfg.isAWS),
		AdminUserPassword: jsii.Bool(!cfg.isAWS),
	}
}

func groupID(g string) string {
	return strings.ToUpper(g[:1]) + g[1:] + "Group"
}
