// Package awssend holds the notify.Sender adapters of the AWS channels: email
// through SES (API v2 SendEmail) and SMS through SNS Publish to a phone number.
package awssend

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
)

// SESAPI is the part of the SES v2 client the email sender uses.
type SESAPI interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Email sends through SES from a verified identity.
type Email struct {
	Client SESAPI
	// From is the sender address, of the identity the stack verifies (SENDER_EMAIL).
	From string
	// ConfigurationSet, when set, is named on every message (bounce and complaint tracking).
	ConfigurationSet string
}

// Send sends a multipart (text and HTML) email.
func (e Email) Send(ctx context.Context, to string, m notify.Rendered, d domain.Delivery) (string, error) {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(e.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{to}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(m.Subject), Charset: aws.String("UTF-8")},
			Body: &sestypes.Body{
				Text: &sestypes.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")},
				Html: &sestypes.Content{Data: aws.String(m.HTML), Charset: aws.String("UTF-8")},
			},
		}},
		// Tags let SES event destinations tell messages apart without reading them.
		EmailTags: []sestypes.MessageTag{
			{Name: aws.String("event_type"), Value: aws.String(d.EventType)},
		},
	}
	if e.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(e.ConfigurationSet)
	}
	out, err := e.Client.SendEmail(ctx, in)
	if err != nil {
		return "", classify("ses SendEmail", err, "MessageRejected", "MailFromDomainNotVerifiedException")
	}
	return aws.ToString(out.MessageId), nil
}

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
		return "", classify("sns Publish", err, "InvalidParameter", "InvalidParameterValue", "OptedOut")
	}
	return aws.ToString(out.MessageId), nil
}

// classify wraps notify.ErrRejected around errors that a retry cannot fix.
func classify(op string, err error, permanent ...string) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		for _, code := range permanent {
			if apiErr.ErrorCode() == code {
				return fmt.Errorf("%s: %w: %w", op, notify.ErrRejected, err)
			}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}
