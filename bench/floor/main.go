// Command floor is the no-op function of the emulator's latency floors (the
// FoodDeliveryFloor stack, infra/floor.go). One binary plays every role of
// the order → courier-assigned path and of the location → live-frame path,
// telling them apart by the event it gets:
//
//   - a DynamoDB stream batch (the stream publisher's place): one PutEvents with
//     one event per record whose new image has status PLACED or PAID;
//   - an SQS batch of EventBridge envelopes (payment's and assignment's place):
//     one UpdateItem per message, PLACED → PAID or PAID → ASSIGNED, the latter
//     stamping assigned_at (Unix nanoseconds) for bench/e2e;
//   - an HTTP API request POST /ping {"conn","n"} (tracking's place): one PutItem
//     of a "ping" item naming the connection;
//   - a WebSocket event ($connect: accepted; any message: answered with the
//     connection's id, which bench/push needs to address its pings);
//   - with FLOOR_ROLE=push, a stream batch (realtime-push's place): one
//     PostToConnection of {"n"} per ping item.
//
// In the topology floor (infra/floor_topology.go), the app's design on the
// same path, it also plays:
//
//   - with FLOOR_ROLE=status-push, a stream batch (realtime-push's place on the
//     order path): one "pushed" line per invocation, as realtime-push writes,
//     and no call;
//   - with FLOOR_ROLE=channel, an SQS batch (a notification channel's place):
//     one "event handled" line per message, and no call;
//   - with FLOOR_PUBLISH_ASSIGNED=true, the publisher also publishes ASSIGNED
//     items (FloorAssigned, the app's CourierAssigned, which the channels get);
//   - with PROVIDER_LATENCY_MS set (the app's payment setting), the payment
//     waits that long before its write, as the app's simulated provider does.
//
// Nothing else: no validation, no ledger, no idempotency. It logs as the app
// does, though: one JSON line on stdout per event published ("event published",
// shared/publisher) and per message handled ("event handled",
// shared/queue). That is not for reading: MiniStack (1.5.33,
// ProvidedWorker.invoke → Worker._drain_stderr_bounded in
// core/lambda_runtime.py) ends every invocation by draining the function's
// output, and waits 50 ms for a first line when there is none, against 5 ms of
// quiet after the last line when there is. A silent floor paid those 50 ms on
// every invocation where the app's functions do not, and as the stream
// publisher runs on MiniStack's single poller thread, that capped the floor's
// stream publisher at about 10 invocations per second and the floor below the
// app (make bench once said app 13.17 vs floor 9.64 orders/s).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/connapi"
)

// Source is the EventBridge source of the floor's events (infra.FloorEventSource).
const Source = "food-delivery.floor"

// The roles of FLOOR_ROLE beside the default (infra.FloorRoleStatusPush, infra.FloorRoleChannel; "push" is the
// live-tracking floor's).
const (
	rolePush       = "push"
	roleStatusPush = "status-push"
	roleChannel    = "channel"
)

// The clients, built once by main (as the app's functions build theirs), before the first event.
var (
	db     *dynamodb.Client
	eb     *eventbridge.Client
	poster *connapi.Client // FLOOR_ROLE=push only
	table  = os.Getenv("TABLE_NAME")
	bus    = os.Getenv("EVENT_BUS_NAME")
	role   = os.Getenv("FLOOR_ROLE")
	// publishAssigned: the topology floor's publisher also publishes ASSIGNED items (infra.FloorEnvPublishAssigned).
	publishAssigned = os.Getenv("FLOOR_PUBLISH_ASSIGNED") == "true"
	// providerLatency is what the topology floor's payment waits, the app's simulated provider latency (0: none).
	providerLatency = platform.ReadEnv(os.Getenv).Millis(payments.EnvProviderLatency, 0)
	// log writes the lines the app's functions write, as they do (logging.Setup: JSON on stdout).
	log = slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("function", "floor")
)

func main() {
	cfg := awsenv.MustLoad()
	db, eb = dynamodb.NewFromConfig(cfg), eventbridge.NewFromConfig(cfg)
	if role == rolePush {
		p, err := connapi.New(os.Getenv("CONNECTIONS_URL"), cfg, cfg.HTTPClient)
		if err != nil {
			panic(err)
		}
		poster = p
	}
	lambda.Start(handle)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
		RequestContext *struct {
			RouteKey     string `json:"routeKey"`
			ConnectionID string `json:"connectionId"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if rc := probe.RequestContext; rc != nil {
		if rc.ConnectionID != "" { // WebSocket
			log.Info("socket event", "route", rc.RouteKey)
			if rc.RouteKey == "$connect" || rc.RouteKey == "$disconnect" {
				return events.APIGatewayProxyResponse{StatusCode: 200}, nil
			}
			body, _ := json.Marshal(map[string]string{"connection_id": rc.ConnectionID})
			return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body)}, nil
		}
		return ping(ctx, raw)
	}
	if len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:sqs" {
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		if role == roleChannel {
			return consume(ctx, ev, func(context.Context, string) error { return nil }), nil
		}
		return consume(ctx, ev, forward), nil
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	if poster != nil {
		return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, push(ctx, ev)
	}
	if role == roleStatusPush {
		// realtime-push's line (shared/realtime): the floor's orders have no subscriber, so no frame.
		log.Info("pushed", "records", len(ev.Records), "frames", 0)
		return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, nil
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}, publish(ctx, ev)
}

// ping stores the request's ping item: {"conn", "n"} → PK PING#<conn>#<n>.
func ping(ctx context.Context, raw json.RawMessage) (events.APIGatewayV2HTTPResponse, error) {
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body struct {
		Conn string `json:"conn"`
		N    int    `json:"n"`
	}
	// Bad input is a 400 answer naming what is wrong, not a failed invocation.
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: 400, Body: "body: " + err.Error()}, nil
	}
	if body.Conn == "" {
		return events.APIGatewayV2HTTPResponse{StatusCode: 400, Body: "conn: required"}, nil
	}
	n := strconv.Itoa(body.N)
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"PK":   &types.AttributeValueMemberS{Value: "PING#" + body.Conn + "#" + n},
		"kind": &types.AttributeValueMemberS{Value: "ping"},
		"conn": &types.AttributeValueMemberS{Value: body.Conn},
		"n":    &types.AttributeValueMemberN{Value: n},
	}})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	log.Info("ping stored", "n", body.N)
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}, nil
}

// push posts {"n"} of each ping item to its connection.
func push(ctx context.Context, ev events.DynamoDBEvent) error {
	for _, r := range ev.Records {
		img := r.Change.NewImage
		if k, ok := img["kind"]; !ok || k.DataType() != events.DataTypeString || k.String() != "ping" {
			continue
		}
		data, _ := json.Marshal(map[string]string{"n": img["n"].Number()})
		if err := poster.Post(ctx, img["conn"].String(), data); err != nil {
			log.Warn("post failed", "error", err.Error())
			continue
		}
		log.Info("frame posted", "n", img["n"].Number())
	}
	return nil
}

// publish forwards PLACED and PAID items (and ASSIGNED ones with publishAssigned) as events, in one PutEvents.
func publish(ctx context.Context, ev events.DynamoDBEvent) error {
	entries := toEvents(ev.Records)
	if len(entries) == 0 {
		return nil
	}
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return err
	}
	if out.FailedEntryCount > 0 {
		return errors.New("PutEvents: " + strconv.Itoa(int(out.FailedEntryCount)) + " failed entries")
	}
	for _, e := range entries {
		log.Info("event published", "event_type", *e.DetailType, "detail", *e.Detail)
	}
	return nil
}

// toEvents are the events of the records to publish: PLACED → FloorPlaced, PAID → FloorPaid and, with
// publishAssigned, ASSIGNED → FloorAssigned.
func toEvents(records []events.DynamoDBEventRecord) []ebtypes.PutEventsRequestEntry {
	var entries []ebtypes.PutEventsRequestEntry
	for _, r := range records {
		status, ok := r.Change.NewImage["status"]
		if !ok || status.DataType() != events.DataTypeString {
			continue
		}
		var detailType string
		switch status.String() {
		case "PLACED":
			detailType = "FloorPlaced"
		case "PAID":
			detailType = "FloorPaid"
		case "ASSIGNED":
			if !publishAssigned {
				continue
			}
			detailType = "FloorAssigned"
		default:
			continue
		}
		detail, _ := json.Marshal(map[string]string{"id": r.Change.Keys["PK"].String()})
		entries = append(entries, ebtypes.PutEventsRequestEntry{
			EventBusName: aws.String(bus), Source: aws.String(Source),
			DetailType: aws.String(detailType), Detail: aws.String(string(detail)),
		})
	}
	return entries
}

// consume hands every message's body to handle (forward: writes the next status of its item).
func consume(ctx context.Context, ev events.SQSEvent, handle func(context.Context, string) error) events.SQSEventResponse {
	// An empty list, not null: MiniStack 1.5.33's SQS poller fails on `"batchItemFailures": null` and then never
	// deletes the batch.
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range ev.Records {
		if err := handle(ctx, m.Body); err != nil {
			log.Warn("event not handled; it will be retried", "message_id", m.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		log.Info("event handled", "message_id", m.MessageId)
	}
	return resp
}

func forward(ctx context.Context, body string) error {
	var env struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			ID string `json:"id"`
		} `json:"detail"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return err
	}
	in := &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key:       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: env.Detail.ID}},
	}
	switch env.DetailType {
	case "FloorPlaced":
		if err := wait(ctx, providerLatency); err != nil {
			return err
		}
		in.UpdateExpression = aws.String("SET #s = :s")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "PAID"}}
	case "FloorPaid":
		in.UpdateExpression = aws.String("SET #s = :s, assigned_at = :t")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{
			":s": &types.AttributeValueMemberS{Value: "ASSIGNED"},
			":t": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixNano(), 10)},
		}
	default:
		return nil
	}
	in.ExpressionAttributeNames = map[string]string{"#s": "status"}
	_, err := db.UpdateItem(ctx, in)
	return err
}

// wait sleeps d, or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
