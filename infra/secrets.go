package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newProviderAPIKey is the payment provider's API key. Secrets Manager generates the value at deploy, so it is
// in neither the template nor the repository; an operator rotates it with PutSecretValue, no redeploy
// (docs/payments.md). The simulated provider accepts only the value the secret holds now; the payment function
// presents it (shared/payments/simprovider/auth.go). Encrypted with the AWS managed key aws/secretsmanager,
// like the rest of the stack (docs/security.md, trade-offs), so the function needs no kms grant.
func newProviderAPIKey(scope constructs.Construct) awssecretsmanager.Secret {
	return awssecretsmanager.NewSecret(scope, jsii.String("ProviderApiKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("API key of the (simulated) payment provider; rotate it with PutSecretValue (docs/payments.md)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(40),
			ExcludePunctuation: jsii.Bool(true), // fits a header and a shell variable unquoted
		},
		// Deleted with the stack in both stages, unlike the data: a new deploy generates a new key, so a retained one
		// would only be a forgotten $0.40 a month. On AWS the deletion is recoverable for 30 days
		// (RestoreSecret), Secrets Manager's default recovery window.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}

// grantProviderAPIKey lets fn read the key: GetSecretValue on that secret only (not DescribeSecret, which
// secret.GrantRead adds and the function never calls; no wildcard).
func grantProviderAPIKey(fn awslambda.IFunction, key awssecretsmanager.ISecret) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{key.SecretArn()},
	}))
}
