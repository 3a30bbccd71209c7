// Package awssecret reads a secret's value from AWS Secrets Manager: the
// secret.Source of a deployed function.
package awssecret

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// GetSecretValueAPI is the one Secrets Manager call it makes (the only
// action the function's role allows on the secret).
type GetSecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Current is the version of SecretID that Secrets Manager labels AWSCURRENT:
// the value the operator put last (docs/payments.md, rotating the key).
type Current struct {
	Client   GetSecretValueAPI
	SecretID string // the secret's ARN (its name also works)
}

// Fetch implements secret.Source.
func (c Current) Fetch(ctx context.Context) (string, error) {
	out, err := c.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &c.SecretID})
	if err != nil {
		return "", fmt.Errorf("GetSecretValue %s: %w", c.SecretID, err)
	}
	if out.SecretString == nil {
		return "", errors.New("GetSecretValue " + c.SecretID + ": the secret has no string value")
	}
	return *out.SecretString, nil
}
