package tracking

import (
	"context"
	"net/http"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
)

// NewRouter maps the tracking routes to the service.
func NewRouter(svc *Service) *httpapi.Router {
	rt := httpapi.NewRouter(apiroutes.Of(apiroutes.Tracking))
	rt.Handle("GET /couriers/me", func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		if !who.InGroup(httpapi.GroupCourier) {
			return httpapi.Response{}, domain.ErrForbidden
		}
		courier, err := svc.Courier(ctx, who.Subject)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewCourierSelf(courier)), nil
	})
	rt.Handle("POST /couriers/me/location", func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		if !who.InGroup(httpapi.GroupCourier) {
			return httpapi.Response{}, domain.ErrForbidden
		}
		var batch LocationBatch
		if err := httpapi.DecodeValidated(r, apischema.LocationBatch, &batch); err != nil {
			return httpapi.Response{}, err
		}
		courier, err := svc.ReportLocation(ctx, who.Subject, batch)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewCourierSelf(courier)), nil
	})
	rt.Handle("POST /orders/{id}/status", func(ctx context.Context, r httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		if !who.InGroup(httpapi.GroupCourier) {
			return httpapi.Response{}, domain.ErrForbidden
		}
		var body statusUpdate
		if err := httpapi.DecodeValidated(r, apischema.OrderStatus, &body); err != nil {
			return httpapi.Response{}, err
		}
		order, err := svc.SetOrderStatus(ctx, who.Subject, p["id"], body.Status)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewCourierJob(order)), nil
	})
	rt.Handle("GET /orders/{id}/tracking", func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		view, err := svc.Track(ctx, Viewer{ID: who.Subject, IsOps: who.InGroup(httpapi.GroupOps)}, p["id"])
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, NewTrackingView(view)), nil
	})
	return rt
}

// statusUpdate is the body of POST /orders/{id}/status.
type statusUpdate struct {
	Status domain.Status `json:"status"`
}
