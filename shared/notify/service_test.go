package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

func TestEachEventNotifiesOnce(t *testing.T) {
	s := memstore.New()
	svc := notify.NewService(s, time.Now)
	o := domain.Order{ID: "o-1", CustomerID: "c-1", Status: domain.StatusPaid, Version: 2, TotalMinor: 1234, Currency: "EUR"}
	paid, _ := domainevents.FromOrder(o)
	o.Status, o.Version = domain.StatusCourierAssigned, 3
	assigned, _ := domainevents.FromOrder(o)
	for _, e := range []domainevents.Envelope{paid, paid, assigned, paid, assigned} {
		if err := svc.HandleEvent(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.ListNotifications(context.Background(), "o-1")
	if len(got) != 2 {
		t.Fatalf("%d notifications, want 2: %+v", len(got), got)
	}
	if got[0].EventType != domainevents.PaymentConfirmed || !strings.Contains(got[0].Body, "12.34 EUR") || got[0].CustomerID != "c-1" {
		t.Fatalf("first notification %+v", got[0])
	}
}

func TestInternalEventsAreNotSentToCustomers(t *testing.T) {
	s := memstore.New()
	o := domain.Order{ID: "o-1", Status: domain.StatusPlaced, Version: 1}
	placed, _ := domainevents.FromOrder(o)
	if err := notify.NewService(s, time.Now).HandleEvent(context.Background(), placed); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListNotifications(context.Background(), "o-1"); len(got) != 0 {
		t.Fatalf("OrderPlaced notified the customer: %+v", got)
	}
	if notify.CustomerFacing(domainevents.OrderPlaced) || !notify.CustomerFacing(domainevents.OrderDelivered) {
		t.Fatal("customer-facing set is wrong")
	}
}
