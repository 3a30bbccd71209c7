package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/notifyapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// TablePorts are the store ports each function is wired with (functions/<fn>/main.go): its table policy is
// the union of what their methods do (store.MethodAccess), nothing more. A function added here gets a
// policy built the same way; one wired with a port not listed here gets AccessDenied on AWS.
var TablePorts = map[string][]any{
	FnOrderAPI:           {(*orders.Store)(nil), (*notifyapi.AccountStore)(nil)},
	FnPayment:            {(*payments.Store)(nil), (*queue.FailureRecorder)(nil)},
	FnDeliveryAssignment: {(*delivery.Store)(nil), (*queue.FailureRecorder)(nil)},
	FnNotification:       {(*notify.Store)(nil), (*notify.InboxWriter)(nil), (*queue.FailureRecorder)(nil)},
	FnNotifyEmail:        {(*notify.Store)(nil), (*queue.FailureRecorder)(nil)},
	FnNotifySMS:          {(*notify.Store)(nil), (*queue.FailureRecorder)(nil)},
	FnTracking:           {(*tracking.Store)(nil)},
	FnSweeper:            {(*sweeper.Store)(nil)},
	FnRealtime:           {(*realtime.Connections)(nil), (*realtime.Orders)(nil)},
	FnRealtimePush:       {(*realtime.Connections)(nil)},
	FnOpsAPI:             {(*ops.Store)(nil)},
}

// TableAccess is the table access of a function from its ports.
func TableAccess(fn string) (store.Access, error) {
	ports, ok := TablePorts[fn]
	if !ok {
		return store.Access{}, fmt.Errorf("function %s has no TablePorts entry", fn)
	}
	return store.AccessFor(ports...)
}

// grantTable gives fn exactly its access to the table: the item actions on the table itself, only for
// partition keys with the prefixes its methods use (dynamodb:LeadingKeys; a transaction is checked per item),
// and Query on the indexes it reads, by name. No Scan, no DeleteItem, no batch calls, no DescribeTable, no
// index wildcard.
func grantTable(fn awslambda.IFunction, table awsdynamodb.ITable, fnName string) {
	a, err := TableAccess(fnName)
	if err != nil {
		panic(err) // a wiring mistake: synth must fail, not deploy a function that cannot work
	}
	if len(a.Prefixes) > 0 {
		grantItems(fn, table, a.Actions, a.Prefixes)
	}
	if len(a.Indexes) > 0 {
		var arns []*string
		for _, ix := range a.Indexes {
			arns = append(arns, awscdk.Fn_Join(jsii.String(""), &[]*string{table.TableArn(), jsii.String("/index/" + ix)}))
		}
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("dynamodb:Query"),
			Resources: &arns,
		}))
	}
}

// grantItems allows the item actions on the table for partition keys that start with one of the prefixes.
// Query on an index is granted apart (grantTable): its key is the index's, not the table's.
func grantItems(fn awslambda.IFunction, table awsdynamodb.ITable, actions, prefixes []string) {
	patterns := make([]string, len(prefixes))
	for i, p := range prefixes {
		patterns[i] = p + "*"
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{table.TableArn()},
		Conditions: &map[string]any{
			"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": patterns},
		},
	}))
}

// ProviderActions are the calls of the simulated provider's books (simprovider.DynamoBooks), which run inside
// the payment function, on partition keys simprovider.KeyPrefix.
var ProviderActions = []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}

func grantProviderBooks(fn awslambda.IFunction, table awsdynamodb.ITable) {
	grantItems(fn, table, ProviderActions, []string{simprovider.KeyPrefix})
}

// grantReceipts lets fn put receipt objects, under payments.ReceiptPrefix only: no read, no delete, no ACL,
// no multipart (a receipt is a few hundred bytes, one PutObject).
func grantReceipts(fn awslambda.IFunction, bucket awss3.IBucket) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: &[]*string{bucket.ArnForObjects(jsii.String(payments.ReceiptPrefix + "*"))},
	}))
}
