package infra

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

// FnOpsAPI serves the operators' routes (shared/ops).
const FnOpsAPI = apiroutes.OpsAPI

// newOps is the ops API's function, its routes (the route table's ops-api rows; the ops-group check is the
// handler's) and its grants, each an exact list of actions on named resources: reads of the table and its awaiting index, the DLQs' receive/delete/visibility/depth, SendMessage on the queues
// a redrive refills, and FilterLogEvents on the app's log groups. It runs after every other function is in the
// stack, because it reads their log groups.
func newOps(stack awscdk.Stack, cfg stageConfig, d *data, m *messaging, a *api, fns *functions) awslambda.Function {
	// Every log group of the stack so far is an app function's; the ops function's own is added below.
	var groups []awslogs.ILogGroup
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if g, ok := c.(awslogs.LogGroup); ok {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return *groups[i].Node().Path() < *groups[j].Node().Path() })
	// Every consumer queue with its DLQ (ops.ConsumerQueues names them), so the console shows (and redrives)
	// every dead letter of the stack.
	pairs := map[string]queuePair{"payment": m.payment, "assignment": m.assignment, "notification": m.notification,
		"email": m.email, "sms": m.sms}
	env := map[string]string{
		platform.EnvTableName:  *d.table.TableName(),
		ops.EnvSweeperLogGroup: *fns.sweeper.LogGroup().LogGroupName(),
		ops.EnvStreamDLQURL:    *m.streamDlq.QueueUrl(),
	}
	dlqArns := []*string{m.streamDlq.QueueArn()}
	var queueArns []*string
	for _, c := range ops.ConsumerQueues {
		pair, ok := pairs[c.Name]
		if !ok {
			panic("ops: no queue for the console's " + c.Name)
		}
		env[ops.EnvQueueURL(c.EnvPrefix)], env[ops.EnvDLQURL(c.EnvPrefix)] = *pair.queue.QueueUrl(), *pair.dlq.QueueUrl()
		dlqArns = append(dlqArns, pair.dlq.QueueArn())
		queueArns = append(queueArns, pair.queue.QueueArn())
	}
	fn := newFunction(stack, cfg, FnOpsAPI, fnOptions{timeout: apiTimeoutSeconds, env: env})
	// Its own log too: the redrives it logs name their orders, so an order's timeline shows who redrove it.
	groups = append(groups, fn.LogGroup())
	names := make([]*string, len(groups))
	for i, g := range groups {
		names[i] = g.LogGroupName()
	}
	fn.AddEnvironment(jsii.String(ops.EnvLogGroups), awscdk.Fn_Join(jsii.String(","), &names), nil)

	// From its store port (ops.Store): Query on ORDER# partitions (the timeline), on GSI2 (the awaiting index),
	// GetItem on failure records (the DLQ view). Nothing is written.
	grantTable(fn, d.table, FnOpsAPI)
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"),
		Resources: &dlqArns,
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: &queueArns,
	}))
	groupArns := make([]*string, len(groups))
	for i, g := range groups {
		groupArns[i] = g.LogGroupArn()
	}
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:FilterLogEvents"),
		Resources: &groupArns,
	}))
	a.addRoutes("OpsApiIntegration", FnOpsAPI, fn)
	return fn
}
