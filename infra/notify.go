package infra

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

// Notification channel functions (the inbox is FnNotification).
const (
	FnNotifyEmail = "notify-email"
	FnNotifySMS   = "notify-sms"
)

// LocalSenderEmail is the sender address of the local stage (notify.LocalSenderEmail). The stack verifies it as an
// SES identity, which the emulator accepts at once; on AWS the sender comes from `-c senderEmail=...` or the
// SenderEmail parameter.
const LocalSenderEmail = notify.LocalSenderEmail

// senderEmail returns the address notification emails come from: the stage's configured one, or on AWS without
// one a deploy-time CloudFormation parameter, so the same template serves any account.
func senderEmail(stack awscdk.Stack, cfg stageConfig) *string {
	if cfg.senderEmail != "" {
		return jsii.String(cfg.senderEmail)
	}
	if !cfg.isAWS {
		return jsii.String(LocalSenderEmail)
	}
	p := awscdk.NewCfnParameter(stack, jsii.String("SenderEmail"), &awscdk.CfnParameterProps{
		Type:           jsii.String("String"),
		Description:    jsii.String("address notification emails are sent from; SES emails it a verification link on deploy"),
		AllowedPattern: jsii.String(`^[^@\s]+@[^@\s]+\.[^@\s]+$`),
	})
	return p.ValueAsString()
}

// notifyChannels creates the email and SMS consumers beside the inbox (FnNotification): one function, queue and
// DLQ per channel, each fed by its own EventBridge rule (messaging.go), so a slow or failing provider never holds
// up or repeats another channel.
func newNotifyChannels(stack awscdk.Stack, cfg stageConfig, d *data, m *messaging, consumerEnv func(map[string]string) map[string]string, fns *functions) {
	t := cfg.consumers
	lease := strconv.FormatInt(t.FunctionTimeout.Milliseconds(), 10)
	sender := senderEmail(stack, cfg)
	// The sender identity: on AWS, SES sends a verification link to the address at deploy (or verify a domain
	// identity instead, docs/notifications.md); the emulator treats it as verified.
	identity := awsses.NewEmailIdentity(stack, jsii.String("SenderIdentity"), &awsses.EmailIdentityProps{
		Identity: awsses.Identity_Email(sender),
	})

	fns.notifyEmail = newFunction(stack, cfg, FnNotifyEmail, fnOptions{timeout: t.FunctionTimeout.Seconds(), env: consumerEnv(map[string]string{
		platform.EnvTableName: *d.table.TableName(), notify.EnvSenderEmail: *sender, notify.EnvClaimLease: lease,
	})})
	fns.notifySMS = newFunction(stack, cfg, FnNotifySMS, fnOptions{timeout: t.FunctionTimeout.Seconds(), env: consumerEnv(map[string]string{
		platform.EnvTableName: *d.table.TableName(), notify.EnvClaimLease: lease,
	})})
	// Their table policies come from their store ports, like every function's (access.go).
	grantTable(fns.notifyEmail, d.table, FnNotifyEmail)
	grantTable(fns.notifySMS, d.table, FnNotifySMS)

	// Email: SendEmail from this identity only.
	fns.notifyEmail.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ses:SendEmail"),
		Resources: &[]*string{identity.EmailIdentityArn()},
	}))
	// SMS: an SNS Publish to a phone number has no resource ARN to name (there is no topic), so IAM can only
	// grant it on "*"; this is the one Resource "*" of the stack, for this one action. SNS spend limits and the
	// SMS sandbox bound it (docs/notifications.md).
	fns.notifySMS.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:Publish"),
		Resources: jsii.Strings("*"),
	}))

	fns.notifyEmail.AddEventSource(sqsEventSource(m.email.queue, sqsBatchSize, 0))
	fns.notifySMS.AddEventSource(sqsEventSource(m.sms.queue, sqsBatchSize, 0))
	fns.notification.AddEnvironment(jsii.String(notify.EnvClaimLease), jsii.String(lease), nil)
}
