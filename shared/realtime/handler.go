package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// Route keys of the WebSocket API (infra wires the same).
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
	RouteSubscribe  = "subscribe"
)

// Routes lists every route key the handler serves.
var Routes = []string{RouteConnect, RouteDisconnect, RouteSubscribe, RouteDefault}

// Subprotocol is what a browser offers besides its token when it sends the token as Sec-WebSocket-Protocol
// (browsers cannot set other handshake headers): new WebSocket(url, [Subprotocol, token]). The server answers
// with Subprotocol, never echoing the token.
const Subprotocol = "fooddelivery.v1"

// MaxMessageBytes bounds a client message (a subscribe is about 60 bytes).
const MaxMessageBytes = 1024

// SubscribeMessage is the body of the subscribe route.
type SubscribeMessage struct {
	Action  string `json:"action"`
	OrderID string `json:"order_id"`
}

// Handler serves the WebSocket API's routes.
type Handler struct{ svc *Service }

// NewHandler wires the handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// Serve handles one WebSocket event. Frames answering a message are returned as the route response
// (subscribe and $default are two-way routes), so answering costs no PostToConnection call.
func (h *Handler) Serve(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := ev.RequestContext
	ctx = logging.With(ctx, "route", rc.RouteKey)
	log := logging.From(ctx)
	switch rc.RouteKey {
	case RouteConnect:
		token, protocol := tokenOf(ev)
		if err := h.svc.Connect(ctx, rc.ConnectionID, token); err != nil {
			if errors.Is(err, ErrUnauthenticated) {
				log.Info("connect refused", "reason", err.Error())
				return events.APIGatewayProxyResponse{StatusCode: http.StatusUnauthorized}, nil
			}
			log.Error("connect failed", "error", err.Error())
			return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, nil
		}
		resp := events.APIGatewayProxyResponse{StatusCode: http.StatusOK}
		if protocol != "" {
			// A browser fails the handshake unless the server picks one of the protocols it offered.
			resp.Headers = map[string]string{"Sec-WebSocket-Protocol": protocol}
		}
		return resp, nil
	case RouteDisconnect:
		if err := h.svc.Disconnect(ctx, rc.ConnectionID); err != nil {
			log.Error("disconnect cleanup failed", "error", err.Error())
		}
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	case RouteSubscribe:
		var msg SubscribeMessage
		if len(ev.Body) > MaxMessageBytes {
			return frameResponse(errorFrame("", CodeInvalidRequest, "message: too large", ""))
		}
		if err := json.Unmarshal([]byte(ev.Body), &msg); err != nil {
			return frameResponse(errorFrame("", CodeInvalidRequest, "message: must be a JSON object", ""))
		}
		f, err := h.svc.Subscribe(ctx, rc.ConnectionID, msg.OrderID)
		if err != nil {
			log.Error("subscribe failed", "error", err.Error())
			return frameResponse(errorFrame(msg.OrderID, CodeInternal, "could not subscribe; try again", ""))
		}
		return frameResponse(f)
	default:
		return frameResponse(errorFrame("", CodeUnknownAction, `action: must be "subscribe"`, "action"))
	}
}

// frameResponse answers a message with a frame; a frame that does not encode (a time past year 9999) fails the
// invocation rather than sending the client an empty frame.
func frameResponse(f Frame) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(body)}, nil
}

// tokenOf finds the ID token of a $connect: the query string's token, or the Sec-WebSocket-Protocol list
// "<Subprotocol>, <token>". protocol is what the response must name when the token came that way.
func tokenOf(ev events.APIGatewayWebsocketProxyRequest) (token, protocol string) {
	if t := ev.QueryStringParameters["token"]; t != "" {
		return t, ""
	}
	for k, v := range ev.Headers {
		if !strings.EqualFold(k, "Sec-WebSocket-Protocol") {
			continue
		}
		var sawOurs bool
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == Subprotocol:
				sawOurs = true
			case strings.Count(p, ".") == 2:
				token = p
			}
		}
		if token != "" && sawOurs {
			return token, Subprotocol
		}
		return token, ""
	}
	return "", ""
}

// Images decodes the stream images of order and tracking items (shared/store.StreamImages); ok is false for an
// image of any other item.
type Images interface {
	Order(image map[string]events.DynamoDBAttributeValue) (o domain.Order, ok bool, err error)
	Tracking(image map[string]events.DynamoDBAttributeValue) (p domain.TrackingPosition, ok bool, err error)
}

// StreamHandler turns the table's stream (filtered by infra to order and tracking items) into pushes.
type StreamHandler struct {
	pusher *Pusher
	images Images
}

// NewStreamHandler wires the handler.
func NewStreamHandler(p *Pusher, images Images) *StreamHandler {
	return &StreamHandler{pusher: p, images: images}
}

// changeOf returns what subscribers are told about one record: a new order or a status change, or a courier
// position. Other changes of an order item (a version bump without a new status) and removals tell nothing.
func (h *StreamHandler) changeOf(r events.DynamoDBEventRecord) (Change, bool, error) {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) && r.EventName != string(events.DynamoDBOperationTypeModify) {
		return Change{}, false, nil
	}
	after, ok, err := h.images.Order(r.Change.NewImage)
	if err != nil {
		return Change{}, false, err
	}
	if ok {
		before, hadBefore, err := h.images.Order(r.Change.OldImage)
		if err != nil {
			return Change{}, false, err
		}
		if hadBefore && before.Status == after.Status {
			return Change{}, false, nil
		}
		return StatusChange(before, after), true, nil
	}
	pos, ok, err := h.images.Tracking(r.Change.NewImage)
	if err != nil || !ok {
		return Change{}, false, err
	}
	return PositionChange(pos), true, nil
}

// Handle pushes the batch's changes and reports the first record of each order it could not handle as a batch
// item failure, so Lambda retries from there (ReportBatchItemFailures).
func (h *StreamHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	log := logging.From(ctx)
	var changes []Change
	var recordOf []int
	for i, r := range ev.Records {
		c, ok, err := h.changeOf(r)
		if err != nil {
			// A record that cannot be decoded never will be: log it and move on instead of blocking the shard.
			log.Error("undecodable stream record", "event_id", r.EventID, "error", err.Error())
			continue
		}
		if ok {
			changes = append(changes, c)
			recordOf = append(recordOf, i)
		}
	}
	// Always a list, never null: a poller given null fails the whole batch (docs/emulator.md).
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	res, failed := h.pusher.Push(ctx, changes)
	first := len(ev.Records)
	for i, err := range failed {
		log.Error("push failed", "error", err.Error())
		if recordOf[i] < first {
			first = recordOf[i]
		}
	}
	if first < len(ev.Records) {
		// Lambda retries from the lowest failed sequence number; the records after it are retried too, which
		// may repeat frames of other orders with new sequence numbers (harmless: a frame carries whole state).
		resp.BatchItemFailures = append(resp.BatchItemFailures,
			events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[first].Change.SequenceNumber})
	}
	log.Info("pushed", "records", len(ev.Records), "changes", len(changes), "frames", res.Frames,
		"posts", res.Posts, "gone", res.Gone, "failed_posts", res.Failed)
	return resp, nil
}
