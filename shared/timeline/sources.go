package timeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// FilterLogs reads the groups with FilterLogEvents and keeps the order's lines here, without Logs Insights
// (docs/emulator.md).
type FilterLogs struct {
	Client FilterLogEventsAPI
	Groups []string
}

// Lines implements LogSource.
func (f FilterLogs) Lines(ctx context.Context, orderID, traceID string, from, to time.Time) ([]LogLine, error) {
	lines, err := ReadLogs(ctx, f.Client, f.Groups, from, AboutOrder(orderID, traceID))
	if err != nil {
		return nil, err
	}
	out := lines[:0]
	for _, l := range lines {
		if !l.At.After(to) {
			out = append(out, l)
		}
	}
	return out, nil
}

// InsightsAPI is the part of the CloudWatch Logs client InsightsLogs uses.
type InsightsAPI interface {
	StartQuery(context.Context, *cloudwatchlogs.StartQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
}

// InsightsLogs runs one CloudWatch Logs Insights query over the groups: on AWS it filters in the service instead of
// downloading every line of the period.
type InsightsLogs struct {
	Client InsightsAPI
	Groups []string
	Poll   time.Duration // between GetQueryResults calls; 0 means 1 s
}

// InsightsQuery is the query InsightsLogs runs (the order id and trace id are checked to be plain ids first).
func InsightsQuery(orderID, traceID string) string {
	q := `fields @timestamp, @message, @log | filter order_id = "` + orderID + `"`
	if traceID != "" {
		q += ` or trace_id = "` + traceID + `"`
	}
	return q + ` | sort @timestamp asc | limit 10000`
}

func plainID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Lines implements LogSource.
func (q InsightsLogs) Lines(ctx context.Context, orderID, traceID string, from, to time.Time) ([]LogLine, error) {
	if !plainID(orderID) || !plainID(traceID) {
		return nil, fmt.Errorf("order id %q or trace id %q is not a plain id", orderID, traceID)
	}
	start, err := q.Client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: q.Groups, QueryString: aws.String(InsightsQuery(orderID, traceID)),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix() + 1), Limit: aws.Int32(10000),
	})
	if err != nil {
		return nil, fmt.Errorf("start the Logs Insights query: %w", err)
	}
	poll := q.Poll
	if poll == 0 {
		poll = time.Second
	}
	for {
		res, err := q.Client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			return nil, fmt.Errorf("read the Logs Insights results: %w", err)
		}
		switch res.Status {
		case "Complete":
			var out []LogLine
			for _, row := range res.Results {
				var msg, group, ts string
				for _, f := range row {
					switch aws.ToString(f.Field) {
					case "@message":
						msg = aws.ToString(f.Value)
					case "@log":
						group = aws.ToString(f.Value)
					case "@timestamp":
						ts = aws.ToString(f.Value)
					}
				}
				if line, ok := ParseLine(group, msg, ts); ok {
					out = append(out, line)
				}
			}
			sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
			return out, nil
		case "Failed", "Cancelled", "Timeout":
			return nil, fmt.Errorf("the Logs Insights query ended %s", res.Status)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
}

// ParseLine reads one JSON log line; at is the service's timestamp ("2006-01-02 15:04:05.000"), used when the line
// has no time of its own.
func ParseLine(group, raw, at string) (LogLine, bool) {
	lines, _ := parseMessage(group, raw, time.Time{})
	if len(lines) != 1 {
		return LogLine{}, false
	}
	if lines[0].At.IsZero() {
		t, _ := time.Parse("2006-01-02 15:04:05.000", at)
		lines[0].At = t.UTC()
	}
	return lines[0], true
}

// DescribeStreamAPI is the part of the DynamoDB client StreamVersions uses to find the table's stream.
type DescribeTableAPI interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// StreamsAPI is the part of the DynamoDB Streams client StreamVersions uses.
type StreamsAPI interface {
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// StreamVersions reads the order item's versions from the table's stream (NEW_AND_OLD_IMAGES, 24 hours on AWS):
// every shard from its trim horizon, keeping the order item's new images. It reads the whole stream, which is what
// a tool for one order can afford and an always-on service should not.
type StreamVersions struct {
	Table     DescribeTableAPI
	Streams   StreamsAPI
	TableName string
	MaxPages  int // per shard; 0 means 1000
}

// Versions implements VersionSource.
func (s StreamVersions) Versions(ctx context.Context, orderID string) ([]map[string]any, error) {
	desc, err := s.Table.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.TableName)})
	if err != nil {
		return nil, fmt.Errorf("describe table %s: %w", s.TableName, err)
	}
	arn := aws.ToString(desc.Table.LatestStreamArn)
	if arn == "" {
		return nil, nil
	}
	var shards []streamtypes.Shard
	var last *string
	for {
		out, err := s.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn), ExclusiveStartShardId: last})
		if err != nil {
			return nil, fmt.Errorf("describe stream: %w", err)
		}
		shards = append(shards, out.StreamDescription.Shards...)
		if last = out.StreamDescription.LastEvaluatedShardId; last == nil {
			break
		}
	}
	maxPages := s.MaxPages
	if maxPages == 0 {
		maxPages = 1000
	}
	pk := "ORDER#" + orderID
	var versions []map[string]any
	for _, sh := range shards {
		it, err := s.Streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
			StreamArn: aws.String(arn), ShardId: sh.ShardId, ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			return nil, fmt.Errorf("shard iterator: %w", err)
		}
		iter := it.ShardIterator
		for page := 0; iter != nil && page < maxPages; page++ {
			out, err := s.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(1000)})
			if err != nil {
				return nil, fmt.Errorf("read the stream: %w", err)
			}
			for _, r := range out.Records {
				if r.Dynamodb == nil || r.Dynamodb.NewImage == nil {
					continue
				}
				img := streamMap(r.Dynamodb.NewImage)
				if img["PK"] == pk && img["SK"] == "ORDER" {
					versions = append(versions, img)
				}
			}
			if len(out.Records) == 0 { // the open shard's end: nothing newer yet
				break
			}
			iter = out.NextShardIterator
		}
	}
	sort.SliceStable(versions, func(i, j int) bool { return numOf(versions[i]["version"]) < numOf(versions[j]["version"]) })
	// A stream redelivers nothing, but a reader may meet a version twice across shards' split: keep one each.
	out := versions[:0]
	seen := map[float64]bool{}
	for _, v := range versions {
		if n := numOf(v["version"]); !seen[n] {
			seen[n] = true
			out = append(out, v)
		}
	}
	return out, nil
}

func numOf(v any) float64 {
	f, _ := v.(float64)
	return f
}

func streamMap(m map[string]streamtypes.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v streamtypes.AttributeValue) any {
	switch x := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return x.Value
	case *streamtypes.AttributeValueMemberN:
		f, _ := strconv.ParseFloat(x.Value, 64)
		return f
	case *streamtypes.AttributeValueMemberBOOL:
		return x.Value
	case *streamtypes.AttributeValueMemberNULL:
		return nil
	case *streamtypes.AttributeValueMemberM:
		return streamMap(x.Value)
	case *streamtypes.AttributeValueMemberL:
		out := make([]any, len(x.Value))
		for i, e := range x.Value {
			out[i] = streamValue(e)
		}
		return out
	case *streamtypes.AttributeValueMemberSS:
		return strings.Join(x.Value, ",")
	}
	return nil
}
