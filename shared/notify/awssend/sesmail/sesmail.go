// Package sesmail is the notify.Sender of the email channel: SES (API v2
// SendEmail). It imports no other AWS service (see package awssend).
package sesmail

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend"
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
		return "", awssend.Classify("ses SendEmail", err, "MessageRejected", "MailFromDomainNotVerifiedException")
	}
	return aws.ToString(out.MessageId), nil
}
