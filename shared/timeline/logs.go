package timeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// ListStackResourcesAPI is the part of the CloudFormation client StackLogGroups uses.
type ListStackResourcesAPI interface {
	ListStackResources(context.Context, *cloudformation.ListStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error)
}

// FilterLogEventsAPI is the part of the CloudWatch Logs client ReadLogs uses.
type FilterLogEventsAPI interface {
	FilterLogEvents(context.Context, *cloudwatchlogs.FilterLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// StackLogGroups lists the log groups of a stack, every function's among them. It asks CloudFormation rather
// than a list of names, so a function added to the stack is read without a change here.
func StackLogGroups(ctx context.Context, cfn ListStackResourcesAPI, stack string) ([]string, error) {
	var groups []string
	p := cloudformation.NewListStackResourcesPaginator(cfn, &cloudformation.ListStackResourcesInput{StackName: &stack})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the resources of stack %s: %w", stack, err)
		}
		for _, r := range page.StackResourceSummaries {
			if aws.ToString(r.ResourceType) == "AWS::Logs::LogGroup" && aws.ToString(r.PhysicalResourceId) != "" {
				groups = append(groups, aws.ToString(r.PhysicalResourceId))
			}
		}
	}
	sort.Strings(groups)
	return groups, nil
}

// LogLine is one JSON line a function logged: a slog record or an EMF metrics line.
type LogLine struct {
	Group  string
	At     time.Time // the record's own "time", else the log event's timestamp
	Fields map[string]any
	Raw    string
}

// Function is the function that wrote the line (its "function" field, or the EMF line's Function dimension).
func (l LogLine) Function() string {
	if f, ok := l.Fields["function"].(string); ok {
		return f
	}
	f, _ := l.Fields["Function"].(string)
	return f
}

// IsMetrics reports whether the line is an EMF document.
func (l LogLine) IsMetrics() bool {
	_, ok := l.Fields["_aws"]
	return ok
}

// ReadLogs returns the JSON lines of the groups since a time that keep says to keep, oldest first. The
// runtime's own START/END/REPORT lines are not JSON and are skipped. Filtering happens here, not in a
// CloudWatch filter pattern, so it works wherever FilterLogEvents does (docs/emulator.md).
func ReadLogs(ctx context.Context, logs FilterLogEventsAPI, groups []string, since time.Time, keep func(map[string]any) bool) ([]LogLine, error) {
	var out []LogLine
	for _, g := range groups {
		in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g), StartTime: aws.Int64(since.UnixMilli())}
		p := cloudwatchlogs.NewFilterLogEventsPaginator(logs, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("read log group %s: %w", g, err)
			}
			for _, e := range page.Events {
				lines, _ := parseMessage(g, aws.ToString(e.Message), time.UnixMilli(aws.ToInt64(e.Timestamp)).UTC())
				for _, l := range lines {
					if keep(l.Fields) {
						out = append(out, l)
					}
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// AboutOrder keeps the lines that name the order or carry its trace id.
func AboutOrder(orderID, traceID string) func(map[string]any) bool {
	return func(f map[string]any) bool {
		if f["order_id"] == orderID {
			return true
		}
		return traceID != "" && f["trace_id"] == traceID
	}
}

// parseMessage reads the JSON lines of one log event (the runtime's START/END/REPORT lines are not JSON and are
// skipped). A line's time is its own "time" (slog) or "_aws.Timestamp" (EMF), else the event's timestamp.
func parseMessage(group, message string, eventTime time.Time) ([]LogLine, error) {
	var out []LogLine
	for _, raw := range strings.Split(message, "\n") {
		raw = strings.TrimSpace(raw)
		if !strings.HasPrefix(raw, "{") {
			continue
		}
		var fields map[string]any
		if json.Unmarshal([]byte(raw), &fields) != nil {
			continue
		}
		line := LogLine{Group: group, Fields: fields, Raw: raw, At: eventTime}
		if ts, ok := fields["time"].(string); ok {
			if at, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				line.At = at.UTC()
			}
		} else if meta, ok := fields["_aws"].(map[string]any); ok {
			if ms, ok := meta["Timestamp"].(float64); ok {
				line.At = time.UnixMilli(int64(ms)).UTC()
			}
		}
		out = append(out, line)
	}
	return out, nil
}
