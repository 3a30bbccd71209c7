// Package snssms is the notify.Sender of the SMS channel: SNS Publish to a
// phone number. It imports no other AWS service (see package awssend).
package snssms

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend"
)

// SNSAPI is the part of the SNS client the SMS sender uses.
type SNSAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SMS sends text messages through SNS to a phone number (no topic).
type SMS struct {
	Client SNSAPI
	// SenderID is shown as the sender where the destination country allows it; "" leaves it to SNS.
	SenderID string
}

// Send publishes the short message as a transactional SMS: order updates are
// time-critical, and transactional messages get the more reliable routes.
func (s SMS) Send(ctx context.Context, to string, m notify.Rendered, _ domain.Delivery) (string, error) {
	attrs := map[string]snstypes.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": {DataType: aws.String("String"), StringValue: aws.String("Transactional")},
	}
	if s.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s.SenderID)}
	}
	out, err := s.Client.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(to), Message: aws.String(m.Short), MessageAttributes: attrs})
	if err != nil {
		return "", awssend.Classify("sns Publish", err, "InvalidParameter", "InvalidParameterValue", "OptedOut")
	}
	return aws.ToString(out.MessageId), nil
}
