package infra

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// DashboardName is the CloudWatch dashboard of the stack.
const DashboardName = "food-delivery"

// newDashboard draws one dashboard: the business first (what the on-call engineer is asked about), then the
// API, every function, every queue and DLQ, and the technical metrics the functions write themselves.
func newDashboard(stack awscdk.Stack, o observed) awscloudwatch.Dashboard {
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	opts := func(stat, label string) *awscloudwatch.MetricOptions {
		return &awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String(stat), Label: jsii.String(label)}
	}
	graph := func(title string, width float64, left ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Width: jsii.Number(width), Height: jsii.Number(6), Left: &left,
		})
	}
	text := func(md string) awscloudwatch.IWidget {
		return awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{Markdown: jsii.String(md), Width: jsii.Number(24), Height: jsii.Number(1)})
	}
	business := func(name, stat string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(metrics.Namespace), MetricName: jsii.String(name),
			DimensionsMap: &map[string]*string{"Service": jsii.String(metrics.ServiceName)},
			Period:        fiveMin, Statistic: jsii.String(stat), Label: jsii.String(name + " " + stat),
		})
	}
	// search graphs a metric of ours for every value of its dimensions, so a new function shows without a change.
	search := func(metric, dims, stat string) awscloudwatch.IMetric {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("SEARCH('{" + metrics.Namespace + "," + dims + "} MetricName=\"" + metric + "\"', '" + stat + "', 300)"),
			Label:      jsii.String(""), Period: fiveMin,
		})
	}

	rows := [][]awscloudwatch.IWidget{
		{text("## Orders")},
		{
			graph("Orders per 5 min", 12,
				business(metrics.OrdersPlaced, "Sum"), business(metrics.OrdersPaid, "Sum"), business(metrics.OrdersDeclined, "Sum"),
				business(metrics.OrdersDelivered, "Sum"), business(metrics.OrdersRefunded, "Sum"), business(metrics.OrdersNoCourier, "Sum"),
				business(metrics.OrdersCancelled, "Sum")),
			graph("Revenue and refunds (minor units)", 6, business(metrics.RevenueMinor, "Sum"), business(metrics.RefundedMinor, "Sum")),
			graph("Placed → delivered (ms)", 6, business(metrics.PlacedToDelivered, "p50"), business(metrics.PlacedToDelivered, "p99")),
		},
	}
	for _, api := range o.apis {
		rows = append(rows, []awscloudwatch.IWidget{
			graph("API requests, 4xx, 5xx", 12, api.MetricCount(opts("Sum", "requests")),
				api.MetricClientError(opts("Sum", "4xx")), api.MetricServerError(opts("Sum", "5xx"))),
			graph("API latency (ms)", 12, api.MetricLatency(opts("p50", "p50")), api.MetricLatency(opts("p99", "p99"))),
		})
	}
	rows = append(rows, []awscloudwatch.IWidget{text("## Functions")})
	for _, fn := range o.functions {
		name := strings.TrimSuffix(*fn.Node().Id(), "Function")
		rows = append(rows, []awscloudwatch.IWidget{
			graph(name+": invocations, errors, throttles", 12, fn.MetricInvocations(opts("Sum", "invocations")),
				fn.MetricErrors(opts("Sum", "errors")), fn.MetricThrottles(opts("Sum", "throttles"))),
			graph(name+": duration (ms)", 12, fn.MetricDuration(opts("p50", "p50")), fn.MetricDuration(opts("p99", "p99"))),
		})
	}
	rows = append(rows, []awscloudwatch.IWidget{text("## Queues")})
	var depth, oldest, dead []awscloudwatch.IMetric
	for _, q := range o.workQueues {
		id := *q.Node().Id()
		depth = append(depth, q.MetricApproximateNumberOfMessagesVisible(opts("Maximum", id)))
		oldest = append(oldest, q.MetricApproximateAgeOfOldestMessage(opts("Maximum", id)))
	}
	for _, q := range o.deadQueues {
		dead = append(dead, q.MetricApproximateNumberOfMessagesVisible(opts("Maximum", *q.Node().Id())))
	}
	rows = append(rows, []awscloudwatch.IWidget{
		graph("Queue depth", 8, depth...), graph("Age of oldest message (s)", 8, oldest...), graph("DLQ depth", 8, dead...),
	})
	rows = append(rows, []awscloudwatch.IWidget{text("## What the functions report (EMF)")},
		[]awscloudwatch.IWidget{
			graph("Handler duration p99 per event type (ms)", 12, search(metrics.HandlerDuration, "Function,EventType", "p99")),
			graph("AWS calls per function", 12, search(metrics.AWSCalls, "Function", "Sum")),
		},
		[]awscloudwatch.IWidget{
			graph("AWS SDK retries", 8, search(metrics.AWSRetries, "Function", "Sum")),
			graph("Duplicates ignored", 8, search(metrics.DuplicatesIgnored, "Function", "Sum")),
			graph("Batch item failures", 8, search(metrics.BatchItemFailures, "Function", "Sum")),
		})
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	return awscloudwatch.NewDashboard(stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(DashboardName),
		Widgets:       &widgets,
	})
}
