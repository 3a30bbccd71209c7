package devstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Users creates and signs in users of the stack's Cognito user pool.
type Users struct {
	Client   *cip.Client
	PoolID   string
	ClientID string
}

// Ensure creates the user with a permanent password unless it exists, puts
// it in the group (if any) and returns its subject.
func (u Users) Ensure(ctx context.Context, username, password, group string) (string, error) {
	_, err := u.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &u.PoolID, Username: &username, MessageAction: types.MessageActionTypeSuppress,
		TemporaryPassword: aws.String(password),
	})
	var exists *types.UsernameExistsException
	if err != nil && !errors.As(err, &exists) {
		return "", fmt.Errorf("create user %s: %w", username, err)
	}
	if _, err := u.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &u.PoolID, Username: &username, Password: &password, Permanent: true,
	}); err != nil {
		return "", fmt.Errorf("set password of %s: %w", username, err)
	}
	if group != "" {
		if _, err := u.Client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: &u.PoolID, Username: &username, GroupName: &group,
		}); err != nil {
			return "", fmt.Errorf("add %s to group %s: %w", username, group, err)
		}
	}
	return u.Subject(ctx, username)
}

// SetGivenName sets the user's given_name attribute, which ID tokens carry as
// a claim of the same name.
func (u Users) SetGivenName(ctx context.Context, username, name string) error {
	if _, err := u.Client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: &u.PoolID, Username: &username,
		UserAttributes: []types.AttributeType{{Name: aws.String("given_name"), Value: aws.String(name)}},
	}); err != nil {
		return fmt.Errorf("set given_name of %s: %w", username, err)
	}
	return nil
}

// Subject returns a user's "sub" attribute, the id the API knows them by.
func (u Users) Subject(ctx context.Context, username string) (string, error) {
	out, err := u.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &u.PoolID, Username: &username})
	if err != nil {
		return "", fmt.Errorf("get user %s: %w", username, err)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value), nil
		}
	}
	return "", fmt.Errorf("user %s has no sub", username)
}

// SignIn returns an ID token for the user (it carries cognito:groups, which
// the API uses for roles).
func (u Users) SignIn(ctx context.Context, username, password string) (string, error) {
	out, err := u.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &u.ClientID,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", username, err)
	}
	if out.AuthenticationResult == nil || out.AuthenticationResult.IdToken == nil {
		return "", fmt.Errorf("sign in %s: no token (challenge %s)", username, out.ChallengeName)
	}
	return *out.AuthenticationResult.IdToken, nil
}
