package orders

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// NewRouter maps the order API's routes to the service.
func NewRouter(svc *Service) *httpapi.Router {
	rt := httpapi.NewRouter(apiroutes.Of(apiroutes.OrderAPI))
	rt.Handle("GET /restaurants", func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		list, err := svc.Restaurants(ctx)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, map[string]any{"restaurants": list}), nil
	})
	rt.Handle("GET /restaurants/{id}/menu", func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		menu, err := svc.Menu(ctx, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, menu), nil
	})
	rt.Handle("POST /orders", customersOnly(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		var req domain.PlaceOrderRequest
		if err := httpapi.DecodeValidated(r, apischema.PlaceOrder, &req); err != nil {
			return httpapi.Response{}, err
		}
		req.ContactEmail = who.Email
		order, replayed, err := svc.PlaceOrder(ctx, Customer{ID: who.Subject, FirstName: who.GivenName}, req, r.Header("Idempotency-Key"))
		if err != nil {
			return httpapi.Response{}, err
		}
		status := http.StatusCreated
		if replayed {
			// The same order as the first attempt; 200 says nothing new was made.
			status = http.StatusOK
		} else {
			logging.From(ctx).Info("order placed", "order_id", order.ID, "total_minor", order.TotalMinor)
		}
		resp := httpapi.JSON(status, NewOrderView(order))
		resp.Headers["Location"] = "/orders/" + order.ID
		if replayed {
			resp.Headers["Idempotent-Replayed"] = "true"
		}
		return resp, nil
	}))
	rt.Handle("GET /orders", customersOnly(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		limit := DefaultPageSize
		if raw := r.QueryStringParameters["limit"]; raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return httpapi.Response{}, domain.Invalid("limit", "must be a whole number")
			}
			limit = n
		}
		orders, next, err := svc.Orders(ctx, who.Subject, r.QueryStringParameters["cursor"], limit)
		if err != nil {
			return httpapi.Response{}, err
		}
		list := OrderList{Orders: make([]OrderView, 0, len(orders))}
		for _, o := range orders {
			list.Orders = append(list.Orders, NewOrderView(o))
		}
		if next != "" {
			list.NextCursor = &next
		}
		return httpapi.JSON(http.StatusOK, list), nil
	}))
	rt.Handle("GET /me/home", customersOnly(func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		home, err := svc.Home(ctx, who.Subject)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewHomeView(home)), nil
	}))
	rt.Handle("GET /orders/{id}", func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		order, err := svc.Order(ctx, viewer(who), p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewOrderView(order)), nil
	})
	rt.Handle("POST /orders/{id}/cancel", customersOnly(func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		order, err := svc.Cancel(ctx, who.Subject, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		logging.From(ctx).Info("order cancelled by customer", "order_id", order.ID,
			"trace_id", tracecontext.OrderTraceID(order.TraceParent, order.ID))
		return httpapi.JSON(http.StatusOK, NewOrderView(order)), nil
	}))
	rt.Handle("GET /orders/{id}/notifications", func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		list, err := svc.Notifications(ctx, viewer(who), p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewNotificationList(list)), nil
	})
	return rt
}

func viewer(p httpapi.Principal) Viewer {
	return Viewer{ID: p.Subject, IsOps: p.InGroup(httpapi.GroupOps)}
}

// customersOnly refuses callers who are couriers or ops without being
// customers too.
func customersOnly(h httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(ctx context.Context, r httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		if !who.IsCustomer() {
			return httpapi.Response{}, domain.ErrForbidden
		}
		return h(ctx, r, who, p)
	}
}
