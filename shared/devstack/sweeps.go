package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
)

// FilterLogEventsAPI is the part of the CloudWatch Logs client SweepTotals uses.
type FilterLogEventsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// SweepTotals adds up the reports the sweeper logged (one "sweep done" line per sweep, shared/sweeper) in its log
// group (output SweeperLogGroupName) since a time, and counts the sweeps.
func SweepTotals(ctx context.Context, logs FilterLogEventsAPI, group string, since time.Time) (total sweeper.Report, sweeps int, err error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, StartTime: aws.Int64(since.UnixMilli())}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(logs, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return total, sweeps, fmt.Errorf("read the sweeper's log %s: %w", group, err)
		}
		for _, e := range page.Events {
			// Our lines are JSON; the runtime's START/END/REPORT lines are not.
			for _, line := range strings.Split(aws.ToString(e.Message), "\n") {
				var l struct {
					Msg string `json:"msg"`
					sweeper.Report
				}
				if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "sweep done" {
					continue
				}
				sweeps++
				total.Found += l.Found
				total.Reannounced += l.Reannounced
				total.NothingOwed += l.NothingOwed
				total.Untold += l.Untold
				total.GaveUp += l.GaveUp
				total.Failed += l.Failed
				total.Truncated = total.Truncated || l.Truncated
			}
		}
	}
	return total, sweeps, nil
}

// GetFunctionConfigurationAPI is the part of the Lambda client SweeperConfig uses.
type GetFunctionConfigurationAPI interface {
	GetFunctionConfiguration(context.Context, *lambda.GetFunctionConfigurationInput, ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

// SweeperConfig reads the deployed sweeper's configuration (output SweeperFunctionName) from its environment, as
// the function itself does.
func SweeperConfig(ctx context.Context, client GetFunctionConfigurationAPI, functionName string) (sweeper.Config, error) {
	fn, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &functionName})
	if err != nil {
		return sweeper.Config{}, fmt.Errorf("sweeper function %q: %w", functionName, err)
	}
	vars := map[string]string{}
	if fn.Environment != nil {
		vars = fn.Environment.Variables
	}
	return sweeper.ConfigFromEnv(func(k string) string { return vars[k] })
}
