// Package awssend holds what the notify.Sender adapters of the AWS channels
// share. The adapters themselves live in one package per AWS service,
// sesmail (email through SES) and snssms (SMS through SNS), so that each
// channel's binary links, and initialises at every cold start, only the SDK
// client it calls: SES v2's package init alone takes about 0.5 ms, SNS's
// 0.2 ms (docs/performance.md).
package awssend

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
)

// Classify wraps the error of the AWS call op, adding notify.ErrRejected when
// its error code is one of permanent: errors that a retry cannot fix.
func Classify(op string, err error, permanent ...string) error {
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
