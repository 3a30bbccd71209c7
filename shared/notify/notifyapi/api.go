// Package notifyapi is the signed-in customer's side of notifications on the
// order API: their preferences and their in-app inbox (GET and PUT
// /me/preferences, GET /me/notifications, POST /me/notifications/read). It is
// apart from shared/notify, the channel consumers, so that the channel
// functions do not link the HTTP API's packages (shared/orders, httpapi,
// apischema) and run their init at every cold start (docs/performance.md);
// functions/notification's test keeps them out.
package notifyapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// AccountStore is what the customer's notification routes read and write.
type AccountStore interface {
	GetPreferences(ctx context.Context, customerID string) (domain.Preferences, bool, error)
	PutPreferences(ctx context.Context, customerID string, p domain.Preferences) error
	ListInbox(ctx context.Context, customerID, cursor string, limit int) ([]domain.Notification, string, error)
	CountUnread(ctx context.Context, customerID string) (int, error)
	MarkRead(ctx context.Context, customerID string, eventIDs []string, upTo *time.Time, at time.Time) (int, error)
}

// Inbox page sizes of GET /me/notifications.
const (
	DefaultInboxPage = 20
	MaxInboxPage     = 100
)

// InboxPage is the body of GET /me/notifications.
type InboxPage struct {
	// Notifications are rendered as GET /orders/{id}/notifications renders them.
	Notifications []orders.NotificationView `json:"notifications"`
	// Unread counts every unread notification, not only this page's.
	Unread     int     `json:"unread"`
	NextCursor *string `json:"next_cursor"`
}

// MarkReadRequest is the body of POST /me/notifications/read: the event ids
// of the notifications to mark read, or every one sent up to a time, or both.
type MarkReadRequest struct {
	IDs  []string   `json:"ids"`
	UpTo *time.Time `json:"up_to"`
}

// MarkReadResult is its answer.
type MarkReadResult struct {
	Marked int `json:"marked"`
	Unread int `json:"unread"`
}

// AddRoutes registers the signed-in customer's notification routes on the
// order API's router: GET and PUT /me/preferences, GET /me/notifications and
// POST /me/notifications/read.
func AddRoutes(rt *httpapi.Router, store AccountStore, now func() time.Time) {
	rt.Handle("GET /me/preferences", customers(func(ctx context.Context, _ httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		p, err := preferencesOf(ctx, store, who)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, p), nil
	}))
	rt.Handle("PUT /me/preferences", customers(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		var p domain.Preferences
		if err := httpapi.DecodeValidated(r, apischema.Preferences, &p); err != nil {
			return httpapi.Response{}, err
		}
		if err := p.Validate(); err != nil {
			return httpapi.Response{}, err
		}
		p.UpdatedAt = now().UTC()
		if err := store.PutPreferences(ctx, who.Subject, p); err != nil {
			return httpapi.Response{}, err
		}
		logging.From(ctx).Info("notification preferences stored", "locale", p.Locale)
		return httpapi.JSON(http.StatusOK, p), nil
	}))
	rt.Handle("GET /me/notifications", customers(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		limit := DefaultInboxPage
		if raw := r.QueryStringParameters["limit"]; raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > MaxInboxPage {
				return httpapi.Response{}, domain.Invalid("limit", "must be a whole number from 1 to %d", MaxInboxPage)
			}
			limit = n
		}
		list, next, err := store.ListInbox(ctx, who.Subject, r.QueryStringParameters["cursor"], limit)
		if err != nil {
			return httpapi.Response{}, err
		}
		unread, err := store.CountUnread(ctx, who.Subject)
		if err != nil {
			return httpapi.Response{}, err
		}
		page := InboxPage{Notifications: orders.NewNotificationList(list).Notifications, Unread: unread}
		if next != "" {
			page.NextCursor = &next
		}
		return httpapi.JSON(http.StatusOK, page), nil
	}))
	rt.Handle("POST /me/notifications/read", customers(func(ctx context.Context, r httpapi.Request, who httpapi.Principal, _ map[string]string) (httpapi.Response, error) {
		var req MarkReadRequest
		if err := httpapi.DecodeValidated(r, apischema.MarkRead, &req); err != nil {
			return httpapi.Response{}, err
		}
		if len(req.IDs) == 0 && req.UpTo == nil {
			return httpapi.Response{}, domain.Invalid("ids", "give ids, up_to or both")
		}
		marked, err := store.MarkRead(ctx, who.Subject, req.IDs, req.UpTo, now().UTC())
		if err != nil {
			return httpapi.Response{}, err
		}
		unread, err := store.CountUnread(ctx, who.Subject)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.JSON(http.StatusOK, MarkReadResult{Marked: marked, Unread: unread}), nil
	}))
}

// preferencesOf returns the stored preferences, or the defaults with the
// email address of the caller's token.
func preferencesOf(ctx context.Context, store AccountStore, who httpapi.Principal) (domain.Preferences, error) {
	p, found, err := store.GetPreferences(ctx, who.Subject)
	if err != nil || found {
		return p, err
	}
	return domain.DefaultPreferences(who.Email), nil
}

// customers refuses couriers and ops: notification settings are a customer's.
func customers(h httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(ctx context.Context, r httpapi.Request, who httpapi.Principal, p map[string]string) (httpapi.Response, error) {
		if !who.IsCustomer() {
			return httpapi.Response{}, domain.ErrForbidden
		}
		return h(ctx, r, who, p)
	}
}
