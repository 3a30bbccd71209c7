// Package devstack is shared by the seed program and the deployed-stack tests:
// it reads the stack outputs that `cdk deploy --outputs-file` wrote, holds the
// demo data, and creates demo users. Functions never import it.
package devstack

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// StackName is the CloudFormation stack the CDK app deploys.
const StackName = "FoodDelivery"

// Outputs are the stack outputs the tools use.
type Outputs struct {
	ApiID                        string `json:"ApiId"`
	ApiURL                       string `json:"ApiUrl"`
	TableName                    string `json:"TableName"`
	EventBusName                 string `json:"EventBusName"`
	UserPoolID                   string `json:"UserPoolId"`
	UserPoolClientID             string `json:"UserPoolClientId"`
	ReceiptsBucketName           string `json:"ReceiptsBucketName"`
	ReceiptsAccessLogsBucketName string `json:"ReceiptsAccessLogsBucketName"`
	ProviderTableName            string `json:"ProviderTableName"`
	ProviderAPIKeySecret         string `json:"ProviderApiKeySecret"` // the secret's ARN (its name on the emulator)
	PaymentQueueURL              string `json:"PaymentQueueUrl"`
	PaymentDlqURL                string `json:"PaymentDlqUrl"`
	AssignmentQueueURL           string `json:"AssignmentQueueUrl"`
	AssignmentDlqURL             string `json:"AssignmentDlqUrl"`
	NotificationQueueURL         string `json:"NotificationQueueUrl"`
	NotificationDlqURL           string `json:"NotificationDlqUrl"`
	NotifyEmailQueueURL          string `json:"NotifyEmailQueueUrl"`
	NotifyEmailDlqURL            string `json:"NotifyEmailDlqUrl"`
	NotifySmsQueueURL            string `json:"NotifySmsQueueUrl"`
	NotifySmsDlqURL              string `json:"NotifySmsDlqUrl"`
	StreamDlqURL                 string `json:"StreamDlqUrl"`
	SweeperFunctionName          string `json:"SweeperFunctionName"`
	SweeperLogGroupName          string `json:"SweeperLogGroupName"`
	AlarmTopicArn                string `json:"AlarmTopicArn"`
	DashboardName                string `json:"DashboardName"`
	WebSocketURL                 string `json:"WebSocketUrl"`
	WebSocketAPIID               string `json:"WebSocketApiId"`
}

// LoadOutputs reads the outputs file of the FoodDelivery stack.
func LoadOutputs(path string) (Outputs, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Outputs{}, fmt.Errorf("read stack outputs: %w", err)
	}
	var byStack map[string]Outputs
	if err := json.Unmarshal(raw, &byStack); err != nil {
		return Outputs{}, fmt.Errorf("decode stack outputs %s: %w", path, err)
	}
	out, ok := byStack[StackName]
	if !ok {
		return Outputs{}, fmt.Errorf("%s has no outputs for stack %s", path, StackName)
	}
	if out.TableName == "" || out.UserPoolID == "" || out.ApiID == "" {
		return Outputs{}, fmt.Errorf("%s lacks TableName, UserPoolId or ApiId", path)
	}
	return out, nil
}

// APIBase is the base URL of the HTTP API. On an emulator (endpoint set) it is
// the LocalStack-style path URL, which needs no DNS; on AWS it is ApiUrl.
func (o Outputs) APIBase(endpoint string) string {
	if endpoint == "" {
		return strings.TrimSuffix(o.ApiURL, "/")
	}
	return strings.TrimSuffix(endpoint, "/") + "/_aws/execute-api/" + o.ApiID
}
