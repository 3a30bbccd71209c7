package ops

import (
	"context"
	"net/http"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// NewRouter maps the ops routes to the service. Every route is for the ops
// group only; anyone else gets 403, as customers-only routes answer couriers.
func NewRouter(svc *Service) *httpapi.Router {
	rt := httpapi.NewRouter(apiroutes.Of(apiroutes.OpsAPI))
	rt.Handle("GET /ops/orders", opsOnly(func(ctx context.Context, r httpapi.Request, _ httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		sums, err := svc.AwaitingByStatus(ctx, domain.Status(r.QueryStringParameters["status"]))
		if err != nil {
			return httpapi.Response{}, err
		}
		now := svc.Now()
		body := AwaitingView{Statuses: make([]StatusView, 0, len(sums))}
		for _, s := range sums {
			v := StatusView{Status: s.Status, Count: s.Count, Orders: make([]AwaitingOrderView, 0, len(s.Oldest))}
			for _, o := range s.Oldest {
				v.Orders = append(v.Orders, AwaitingOrderView{ID: o.ID, Status: o.Status, RestaurantName: o.RestaurantName,
					TotalMinor: o.TotalMinor, Currency: o.Currency, Since: o.UpdatedAt, AgeSeconds: int64(now.Sub(o.UpdatedAt).Seconds())})
			}
			if len(v.Orders) > 0 {
				v.OldestAgeSeconds = v.Orders[0].AgeSeconds
			}
			body.Statuses = append(body.Statuses, v)
		}
		return httpapi.JSON(http.StatusOK, body), nil
	}))
	rt.Handle("GET /ops/orders/{id}/timeline", opsOnly(func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		entries, err := svc.OrderTimeline(ctx, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		if entries == nil {
			entries = []timeline.Entry{}
		}
		return httpapi.JSON(http.StatusOK, TimelineView{OrderID: p["id"], Entries: entries}), nil
	}))
	rt.Handle("GET /ops/dlqs", opsOnly(func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		views, err := svc.DLQs(ctx)
		if err != nil {
			return httpapi.Response{}, err
		}
		body := DLQList{Queues: make([]DLQQueueView, 0, len(views))}
		for _, v := range views {
			q := DLQQueueView{Name: v.Queue.Name, Depth: v.Depth, Redrivable: v.Queue.SourceURL != "", Messages: make([]DLQMessageView, 0, len(v.Messages))}
			for _, m := range v.Messages {
				q.Messages = append(q.Messages, messageView(m))
			}
			body.Queues = append(body.Queues, q)
		}
		return httpapi.JSON(http.StatusOK, body), nil
	}))
	rt.Handle("POST /ops/dlqs/{queue}/redrive", opsOnly(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		var req RedriveRequest
		if r.Body != "" {
			if err := httpapi.DecodeValidated(r, apischema.Redrive, &req); err != nil {
				return httpapi.Response{}, err
			}
		}
		log := logging.From(ctx).With("queue", p["queue"], "message_id", req.MessageID, "requested_by", who.Username, "requested_by_sub", who.Subject)
		log.Info("redrive requested")
		moved, err := svc.Redrive(ctx, p["queue"], req.MessageID)
		body := RedriveResult{Queue: p["queue"], RequestedBy: who.Username, Moved: make([]DLQMessageView, 0, len(moved))}
		for _, m := range moved {
			// One line per message moved, naming its order, so the order's timeline shows the redrive.
			log.Info("redrove dead-lettered message", "order_id", m.OrderID, "event_type", m.EventType, "redriven_as", m.RedrivenAs)
			body.Moved = append(body.Moved, messageView(m))
		}
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, body), nil
	}))
	rt.Handle("GET /ops/sweeps", opsOnly(func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		sweeps, err := svc.Sweeps(ctx)
		if err != nil {
			return httpapi.Response{}, err
		}
		body := SweepList{Sweeps: make([]SweepView, 0, len(sweeps))}
		for _, s := range sweeps {
			body.Sweeps = append(body.Sweeps, SweepView{At: s.At, Found: s.Found, Reannounced: s.Reannounced,
				NothingOwed: s.NothingOwed, GaveUp: s.GaveUp, Failed: s.Failed, Truncated: s.Truncated > 0})
		}
		return httpapi.JSON(http.StatusOK, body), nil
	}))
	return rt
}

// opsOnly refuses callers outside the ops group with 403, the answer the API
// gives a signed-in caller on a route of another role.
func opsOnly(h httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(ctx context.Context, r httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		if !who.InGroup(httpapi.GroupOps) {
			return httpapi.Response{}, domain.ErrForbidden
		}
		return h(ctx, r, who, p)
	}
}

func messageView(m dlq.Message) DLQMessageView {
	return DLQMessageView{MessageID: m.MessageID, EventType: m.EventType, OrderID: m.OrderID, ReceiveCount: m.ReceiveCount,
		Reason: m.Reason, FailedAt: m.FailedAt, SentAt: m.SentAt, RedrivenAs: m.RedrivenAs}
}

// The response bodies (openapi.yaml, components "Ops…").

// AwaitingView is the body of GET /ops/orders.
type AwaitingView struct {
	Statuses []StatusView `json:"statuses"`
}

// StatusView is one status: its count and its oldest orders.
type StatusView struct {
	Status           domain.Status       `json:"status"`
	Count            int                 `json:"count"`
	OldestAgeSeconds int64               `json:"oldest_age_seconds"`
	Orders           []AwaitingOrderView `json:"orders"`
}

// AwaitingOrderView is an order waiting in a status, with how long it has.
type AwaitingOrderView struct {
	ID             string        `json:"id"`
	Status         domain.Status `json:"status"`
	RestaurantName string        `json:"restaurant_name"`
	TotalMinor     int64         `json:"total_minor"`
	Currency       string        `json:"currency"`
	Since          time.Time     `json:"since"`
	AgeSeconds     int64         `json:"age_seconds"`
}

// TimelineView is the body of GET /ops/orders/{id}/timeline.
type TimelineView struct {
	OrderID string           `json:"order_id"`
	Entries []timeline.Entry `json:"entries"`
}

// DLQList is the body of GET /ops/dlqs.
type DLQList struct {
	Queues []DLQQueueView `json:"queues"`
}

// DLQQueueView is one DLQ.
type DLQQueueView struct {
	Name       string           `json:"name"`
	Depth      int              `json:"depth"`
	Redrivable bool             `json:"redrivable"`
	Messages   []DLQMessageView `json:"messages"`
}

// DLQMessageView is a dead-lettered message and the reason its consumer recorded.
type DLQMessageView struct {
	MessageID    string    `json:"message_id"`
	EventType    string    `json:"event_type"`
	OrderID      string    `json:"order_id,omitempty"`
	ReceiveCount int       `json:"receive_count"`
	Reason       string    `json:"reason"`
	FailedAt     time.Time `json:"failed_at,omitzero"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	RedrivenAs   string    `json:"redriven_as,omitempty"`
}

// RedriveRequest is the body of POST /ops/dlqs/{queue}/redrive; without a
// message id the whole queue is redriven.
type RedriveRequest struct {
	MessageID string `json:"message_id,omitempty"`
}

// RedriveResult says what moved and who asked.
type RedriveResult struct {
	Queue       string           `json:"queue"`
	RequestedBy string           `json:"requested_by"`
	Moved       []DLQMessageView `json:"moved"`
}

// SweepList is the body of GET /ops/sweeps.
type SweepList struct {
	Sweeps []SweepView `json:"sweeps"`
}

// SweepView is one sweeper report.
type SweepView struct {
	At          time.Time `json:"at"`
	Found       int       `json:"found"`
	Reannounced int       `json:"reannounced"`
	NothingOwed int       `json:"nothing_owed"`
	GaveUp      int       `json:"gave_up"`
	Failed      int       `json:"failed"`
	Truncated   bool      `json:"truncated"`
}
