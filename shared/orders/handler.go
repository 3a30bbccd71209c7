package orders

import (
	"context"
	"net/http"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// NewRouter maps the order API's routes to the service.
func NewRouter(svc *Service) *httpapi.Router {
	rt := &httpapi.Router{}
	rt.Handle("GET /restaurants", httpapi.Public, func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		list, err := svc.Restaurants(ctx)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, map[string]any{"restaurants": list}), nil
	})
	rt.Handle("GET /restaurants/{id}/menu", httpapi.Public, func(ctx context.Context, _ httpapi.Request, _ httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		menu, err := svc.Menu(ctx, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, menu), nil
	})
	rt.Handle("POST /orders", httpapi.Authenticated, func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		var req domain.PlaceOrderRequest
		if err := httpapi.DecodeJSON(r, &req); err != nil {
			return httpapi.Response{}, err
		}
		order, err := svc.PlaceOrder(ctx, who.Subject, req)
		if err != nil {
			return httpapi.Response{}, err
		}
		logging.From(ctx).Info("order placed", "order_id", order.ID, "total_minor", order.TotalMinor)
		resp := httpapi.JSON(http.StatusCreated, order)
		resp.Headers["Location"] = "/orders/" + order.ID
		return resp, nil
	})
	rt.Handle("GET /orders/{id}", httpapi.Authenticated, func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		order, err := svc.Order(ctx, who.Subject, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, order), nil
	})
	rt.Handle("GET /orders/{id}/notifications", httpapi.Authenticated, func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		list, err := svc.Notifications(ctx, who.Subject, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, map[string]any{"notifications": list}), nil
	})
	return rt
}
