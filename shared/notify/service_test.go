package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/emailhtml"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// recorder is a Sender that keeps what it was asked to send (unit tests only:
// the deployed-stack tests count what SES and SNS on the emulator recorded).
type recorder struct {
	mu   sync.Mutex
	sent []sent
	fail error // returned by the next Send, then cleared
}

type sent struct {
	to string
	m  notify.Rendered
	d  domain.Delivery
}

func (r *recorder) Send(_ context.Context, to string, m notify.Rendered, d domain.Delivery) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail; err != nil {
		r.fail = nil
		return "", err
	}
	r.sent = append(r.sent, sent{to, m, d})
	return "msg-" + d.EventID, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// both sends through two senders (the recorder counts; the inbox writes).
type both [2]notify.Sender

func (b both) Send(ctx context.Context, to string, m notify.Rendered, d domain.Delivery) (string, error) {
	if _, err := b[0].Send(ctx, to, m, d); err != nil {
		return "", err
	}
	return b[1].Send(ctx, to, m, d)
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T, prefs *domain.Preferences) (*memstore.Store, domain.Order) {
	t.Helper()
	s := memstore.New()
	o := domain.Order{ID: "o-1", CustomerID: "c-1", RestaurantName: "Sakura Sushi", Status: domain.StatusPaid, Version: 2,
		Lines:      []domain.OrderLine{{ItemID: "r", Name: "California roll", Quantity: 2}, {ItemID: "m", Name: "Miso soup", Quantity: 1}},
		TotalMinor: 2349, Currency: "EUR", ContactEmail: "token@example.com", CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if prefs != nil {
		if err := s.PutPreferences(context.Background(), "c-1", *prefs); err != nil {
			t.Fatal(err)
		}
	}
	return s, o
}

func event(t *testing.T, o domain.Order, st domain.Status, version int) domainevents.Envelope {
	t.Helper()
	o.Status, o.Version = st, version
	e, ok := domainevents.FromOrder(o)
	if !ok {
		t.Fatalf("no event for %s", st)
	}
	return e
}

func TestEachEventIsSentOncePerChannelHoweverOftenItArrives(t *testing.T) {
	p := domain.DefaultPreferences("ana@example.com")
	p.Phone = "+4915112345678"
	p.Channels.SMS.Updates = true
	s, o := fixture(t, &p)
	c := &clock{t0}
	paid, delivered := event(t, o, domain.StatusPaid, 2), event(t, o, domain.StatusDelivered, 5)
	for _, ch := range domain.Channels {
		rec := &recorder{}
		var sender notify.Sender = rec
		if ch == domain.ChannelInbox {
			sender = both{rec, notify.Inbox{W: s, Now: c.now}}
		}
		svc := notify.NewService(ch, s, sender, notify.Render, time.Minute, c.now)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := 0; i < 10; i++ { // concurrent copies: one claims, the others see its claim
			for _, e := range []domainevents.Envelope{paid, delivered} {
				wg.Add(1)
				go func() { defer wg.Done(); errs <- svc.HandleEvent(context.Background(), e) }()
			}
		}
		wg.Wait()
		close(errs)
		for range errs { // copies that raced a send in progress fail and come back later
		}
		for _, e := range []domainevents.Envelope{paid, delivered, paid} { // the redeliveries
			if err := svc.HandleEvent(context.Background(), e); err != nil {
				t.Fatalf("%s: redelivery: %v", ch, err)
			}
		}
		if rec.count() != 2 {
			t.Fatalf("%s: %d messages sent, want 2 (one per event): %+v", ch, rec.count(), rec.sent)
		}
		want := map[string]string{domain.ChannelEmail: "ana@example.com", domain.ChannelSMS: "+4915112345678", domain.ChannelInbox: "c-1"}[ch]
		if rec.sent[0].to != want {
			t.Errorf("%s: sent to %q, want %q", ch, rec.sent[0].to, want)
		}
	}
	ds, _ := s.ListDeliveries(context.Background(), "o-1")
	if len(ds) != 6 {
		t.Fatalf("%d deliveries, want 6", len(ds))
	}
	for _, d := range ds {
		wantID := "msg-" + d.EventID
		if d.Channel == domain.ChannelInbox {
			wantID = d.EventID
		}
		if d.Status != domain.DeliverySent || d.ProviderMessageID != wantID {
			t.Errorf("delivery %+v, want SENT with the provider's id", d)
		}
	}
	inbox, _ := s.ListNotifications(context.Background(), "o-1")
	if len(inbox) != 2 || !strings.Contains(inbox[0].Body+inbox[1].Body, "€23.49") {
		t.Fatalf("inbox %+v", inbox)
	}
}

func TestOptOutsAndMissingAddressesSkipTheChannel(t *testing.T) {
	p := domain.DefaultPreferences("ana@example.com")
	p.Channels.Email.Updates = false // no progress emails, outcomes still
	s, o := fixture(t, &p)
	c := &clock{t0}
	email, sms := &recorder{}, &recorder{}
	for _, e := range []domainevents.Envelope{event(t, o, domain.StatusPaid, 2), event(t, o, domain.StatusDelivered, 5)} {
		if err := notify.NewService(domain.ChannelEmail, s, email, emailhtml.Render, time.Minute, c.now).HandleEvent(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if err := notify.NewService(domain.ChannelSMS, s, sms, notify.Render, time.Minute, c.now).HandleEvent(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if email.count() != 1 || email.sent[0].d.EventType != domainevents.OrderDelivered {
		t.Fatalf("emails %+v, want only the delivery", email.sent)
	}
	if sms.count() != 0 {
		t.Fatalf("SMS sent without a phone number: %+v", sms.sent)
	}
	reasons := map[string]string{}
	ds, _ := s.ListDeliveries(context.Background(), "o-1")
	for _, d := range ds {
		if d.Status == domain.DeliverySkipped {
			reasons[d.Channel+" "+d.EventType] = d.Reason
		}
	}
	want := map[string]string{
		"email PaymentConfirmed": domain.SkipOptedOut,
		"sms PaymentConfirmed":   domain.SkipOptedOut, // SMS updates are off by default
		"sms OrderDelivered":     domain.SkipNoAddress,
	}
	if len(reasons) != len(want) {
		t.Fatalf("skipped %v, want %v", reasons, want)
	}
	for k, v := range want {
		if reasons[k] != v {
			t.Errorf("%s skipped for %q, want %q", k, reasons[k], v)
		}
	}
}

func TestDefaultsSendEmailToTheAddressOfTheSignInToken(t *testing.T) {
	s, o := fixture(t, nil)
	rec := &recorder{}
	if err := notify.NewService(domain.ChannelEmail, s, rec, emailhtml.Render, time.Minute, time.Now).HandleEvent(context.Background(), event(t, o, domain.StatusPaid, 2)); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 || rec.sent[0].to != "token@example.com" {
		t.Fatalf("sent %+v, want one email to the token's address", rec.sent)
	}
}

func TestAFailedSendIsRetriedAndAnAbandonedClaimTakenOver(t *testing.T) {
	p := domain.DefaultPreferences("ana@example.com")
	s, o := fixture(t, &p)
	c := &clock{t0}
	rec := &recorder{fail: errors.New("throttled")}
	svc := notify.NewService(domain.ChannelEmail, s, rec, emailhtml.Render, 30*time.Second, c.now)
	e := event(t, o, domain.StatusDelivered, 5)
	if err := svc.HandleEvent(context.Background(), e); err == nil {
		t.Fatal("a failed send must fail the message, so SQS delivers it again")
	}
	c.t = t0.Add(10 * time.Second) // a copy within the lease: the claim may still be sending
	if err := svc.HandleEvent(context.Background(), e); err == nil {
		t.Fatal("a copy arriving while the claim is fresh must not send, and not be dropped")
	}
	if rec.count() != 0 {
		t.Fatalf("sent %d", rec.count())
	}
	c.t = t0.Add(31 * time.Second) // the lease is over: the claimant is gone
	if err := svc.HandleEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if err := svc.HandleEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 {
		t.Fatalf("sent %d messages, want 1", rec.count())
	}
}

func TestARejectedMessageIsRecordedFailedNotRetried(t *testing.T) {
	p := domain.DefaultPreferences("bounce@example.com")
	s, o := fixture(t, &p)
	rec := &recorder{fail: errors.Join(notify.ErrRejected, errors.New("address is on the suppression list"))}
	svc := notify.NewService(domain.ChannelEmail, s, rec, emailhtml.Render, time.Minute, time.Now)
	if err := svc.HandleEvent(context.Background(), event(t, o, domain.StatusDelivered, 5)); err != nil {
		t.Fatalf("a message refused for good must not be retried: %v", err)
	}
	ds, _ := s.ListDeliveries(context.Background(), "o-1")
	if len(ds) != 1 || ds[0].Status != domain.DeliveryFailed || !strings.Contains(ds[0].Reason, "suppression") {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestMessagesSayWhatTheCustomerNeeds(t *testing.T) {
	p := domain.DefaultPreferences("ana@example.com")
	p.Locale = "de"
	s, o := fixture(t, &p)
	ctx := context.Background()
	if _, err := s.CreateCourier(ctx, domain.Courier{ID: "k-1", Name: "Anna Schmidt", Status: domain.CourierAvailable}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginCharge(ctx, domain.Charge{OrderID: "o-1", Status: domain.ChargeDeclined, DeclineReason: "expired_card"}); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	svc := notify.NewService(domain.ChannelEmail, s, rec, emailhtml.Render, time.Minute, time.Now)
	o.CourierID, o.ETA = "k-1", t0.Add(24*time.Minute) // the assignment's estimate, 24 minutes after it
	for _, e := range []domainevents.Envelope{event(t, o, domain.StatusCourierAssigned, 3), event(t, o, domain.StatusPaymentFailed, 2)} {
		if err := svc.HandleEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	assigned, failed := rec.sent[0].m, rec.sent[1].m
	for _, want := range []string{"Anna holt deine Bestellung bei Sakura Sushi ab und ist in etwa 24 Minuten bei dir", "2 x California roll", "1 x Miso soup", "23,49 €", "o-1"} {
		if !strings.Contains(assigned.Text, want) {
			t.Errorf("assignment email lacks %q:\n%s", want, assigned.Text)
		}
	}
	if !strings.Contains(failed.Short, "deine Karte ist abgelaufen") || !strings.Contains(failed.HTML, "deine Karte ist abgelaufen") {
		t.Errorf("payment failure does not say the card expired:\n%s\n%s", failed.Short, failed.HTML)
	}
}

func TestInternalEventsAreNotSentToCustomers(t *testing.T) {
	s, o := fixture(t, nil)
	rec := &recorder{}
	if err := notify.NewService(domain.ChannelInbox, s, rec, notify.Render, time.Minute, time.Now).HandleEvent(context.Background(), event(t, o, domain.StatusPlaced, 1)); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 0 {
		t.Fatalf("OrderPlaced notified the customer: %+v", rec.sent)
	}
	if notify.CustomerFacing(domainevents.OrderPlaced) || !notify.CustomerFacing(domainevents.OrderDelivered) {
		t.Fatal("customer-facing set is wrong")
	}
}
