//go:build e2e

package tests

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
)

// TestPreferencesDefaultsValidationAndOptOuts: a new customer reads the defaults; bad values are refused naming the
// field and change nothing; stored opt-outs are honoured by the channels, counted from what the emulator recorded.
func TestPreferencesDefaultsValidationAndOptOuts(t *testing.T) {
	ctx := context.Background()
	token, _ := newCustomer(t)
	got := call(t, http.MethodGet, "/me/preferences", token, nil)
	ch, _ := got.Body["channels"].(map[string]any)
	if got.Status != http.StatusOK || got.Body["locale"] != "en" || got.Body["updated_at"] != nil ||
		fmt.Sprint(ch["inbox"]) != "map[outcomes:true updates:true]" || fmt.Sprint(ch["sms"]) != "map[outcomes:true updates:false]" {
		t.Fatalf("defaults: %d %s", got.Status, got.Raw)
	}

	email, phone := contact()
	valid := map[string]any{"email": email, "phone": phone, "locale": "en", "channels": map[string]any{
		"inbox": map[string]any{"updates": true, "outcomes": true},
		"email": map[string]any{"updates": false, "outcomes": true},
		"sms":   map[string]any{"updates": false, "outcomes": false},
	}}
	for field, bad := range map[string]any{"phone": "015112345678", "email": "not-an-address", "locale": "fr"} {
		body := map[string]any{}
		for k, v := range valid {
			body[k] = v
		}
		body[field] = bad
		resp := call(t, http.MethodPut, "/me/preferences", token, body)
		errBody, _ := resp.Body["error"].(map[string]any)
		if resp.Status != http.StatusBadRequest || errBody["field"] != field {
			t.Errorf("PUT with a bad %s: %d %s, want 400 naming %s", field, resp.Status, resp.Raw, field)
		}
	}
	if again := call(t, http.MethodGet, "/me/preferences", token, nil); again.Raw != got.Raw {
		t.Fatalf("refused updates changed the preferences: %s, was %s", again.Raw, got.Raw)
	}
	put := call(t, http.MethodPut, "/me/preferences", token, valid)
	if put.Status != http.StatusOK || put.Body["email"] != email || put.Body["updated_at"] == nil {
		t.Fatalf("PUT: %d %s", put.Status, put.Raw)
	}
	if stored := call(t, http.MethodGet, "/me/preferences", token, nil); stored.Raw != put.Raw {
		t.Fatalf("GET after PUT: %s, want %s", stored.Raw, put.Raw)
	}

	// A payment that fails is an outcome: email on, SMS off. A payment that succeeds is an update: both off.
	failedID, _ := placeWith(t, token, simprovider.TokenExpiredCard, 1)
	paidID, _ := placeWith(t, token, simprovider.TokenVisa, 1)
	var failedEvt, paidEvt events.Envelope
	eventually(t, 60*time.Second, "both orders' events settled on every channel", func() (bool, string) {
		f, _ := table().GetOrder(ctx, failedID)
		p, _ := table().GetOrder(ctx, paidID)
		failedEvt = eventAt(t, f, domain.StatusPaymentFailed, 2)
		paidEvt = eventAt(t, p, domain.StatusPaid, 2)
		a, b := deliveriesOf(t, failedID, failedEvt.ID), deliveriesOf(t, paidID, paidEvt.ID)
		final := 0
		for _, d := range append(values(a), values(b)...) {
			if d.Status.Final() {
				final++
			}
		}
		return final == 6, fmt.Sprintf("%s %v / %s %v", f.Status, a, p.Status, b)
	})
	want := map[string]domain.DeliveryStatus{
		"failed email": domain.DeliverySent, "failed sms": domain.DeliverySkipped, "failed inbox": domain.DeliverySent,
		"paid email": domain.DeliverySkipped, "paid sms": domain.DeliverySkipped, "paid inbox": domain.DeliverySent,
	}
	for name, ds := range map[string]map[string]domain.Delivery{"failed": deliveriesOf(t, failedID, failedEvt.ID), "paid": deliveriesOf(t, paidID, paidEvt.ID)} {
		for chn, d := range ds {
			if w := want[name+" "+chn]; d.Status != w || (w == domain.DeliverySkipped && d.Reason != domain.SkipOptedOut) {
				t.Errorf("%s order on %s: %s (%s), want %s", name, chn, d.Status, d.Reason, w)
			}
		}
	}
	box := readMailbox(t, email, phone)
	if len(box.emails) != 1 || len(box.sms) != 0 {
		t.Errorf("the emulator recorded %d emails and %d SMS, want 1 (the failed payment) and 0", len(box.emails), len(box.sms))
	}
}

func values(m map[string]domain.Delivery) []domain.Delivery {
	var out []domain.Delivery
	for _, d := range m {
		out = append(out, d)
	}
	return out
}

// TestInboxAcrossOrdersNewestFirst: three orders' notifications in one inbox, newest first, a page at a time, with
// an unread count that marking read (by id, then up to a time) brings down, idempotently.
func TestInboxAcrossOrdersNewestFirst(t *testing.T) {
	token, _ := newCustomer(t)
	other, _ := newCustomer(t)
	var ids []string
	for i := 0; i < 3; i++ {
		id, _ := placeWith(t, token, simprovider.TokenExpiredCard, 1)
		ids = append(ids, id)
	}
	var inbox apiResponse
	eventually(t, 60*time.Second, "three notifications in the inbox", func() (bool, string) {
		inbox = call(t, http.MethodGet, "/me/notifications", token, nil)
		list, _ := inbox.Body["notifications"].([]any)
		return inbox.Status == http.StatusOK && len(list) == 3 && inbox.Body["unread"] == float64(3), inbox.Raw
	})
	list := inbox.Body["notifications"].([]any)
	var sent []string
	seen := map[string]bool{}
	for _, x := range list {
		n := x.(map[string]any)
		sent = append(sent, n["sent_at"].(string))
		seen[n["order_id"].(string)] = true
		if n["read_at"] != nil {
			t.Errorf("new notification already read: %v", n)
		}
	}
	for i := 1; i < len(sent); i++ {
		a, _ := time.Parse(time.RFC3339Nano, sent[i-1])
		b, _ := time.Parse(time.RFC3339Nano, sent[i])
		if a.Before(b) {
			t.Errorf("not newest first: %v", sent)
		}
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("order %s missing from the inbox", id)
		}
	}

	page1 := call(t, http.MethodGet, "/me/notifications?limit=2", token, nil)
	cursor, _ := page1.Body["next_cursor"].(string)
	if len(page1.Body["notifications"].([]any)) != 2 || cursor == "" {
		t.Fatalf("page 1: %s", page1.Raw)
	}
	page2 := call(t, http.MethodGet, "/me/notifications?limit=2&cursor="+cursor, token, nil)
	rest, _ := page2.Body["notifications"].([]any)
	if len(rest) != 1 || page2.Body["next_cursor"] != nil || rest[0].(map[string]any)["event_id"] != list[2].(map[string]any)["event_id"] {
		t.Fatalf("page 2: %s", page2.Raw)
	}
	for _, bad := range []string{"/me/notifications?limit=0", "/me/notifications?limit=x", "/me/notifications?cursor=garbage"} {
		if r := call(t, http.MethodGet, bad, token, nil); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s, want 400", bad, r.Status, r.Raw)
		}
	}
	if r := call(t, http.MethodGet, "/me/notifications?cursor="+cursor, other, nil); r.Status != http.StatusBadRequest {
		t.Errorf("another customer's cursor: %d %s, want 400", r.Status, r.Raw)
	}
	if r := call(t, http.MethodGet, "/me/notifications", other, nil); r.Status != http.StatusOK || len(r.Body["notifications"].([]any)) != 0 {
		t.Errorf("the other customer sees %s", r.Raw)
	}

	first := list[0].(map[string]any)["event_id"].(string)
	if r := call(t, http.MethodPost, "/me/notifications/read", other, map[string]any{"ids": []string{first}}); r.Body["marked"] != float64(0) {
		t.Errorf("another customer marked this one's notification: %s", r.Raw)
	}
	for i, wantMarked := range []float64{1, 0} { // the second time there is nothing left to mark
		r := call(t, http.MethodPost, "/me/notifications/read", token, map[string]any{"ids": []string{first}})
		if r.Status != http.StatusOK || r.Body["marked"] != wantMarked || r.Body["unread"] != float64(2) {
			t.Errorf("mark read by id, try %d: %d %s", i+1, r.Status, r.Raw)
		}
	}
	if r := call(t, http.MethodPost, "/me/notifications/read", token, map[string]any{}); r.Status != http.StatusBadRequest {
		t.Errorf("mark read with neither ids nor up_to: %d %s, want 400", r.Status, r.Raw)
	}
	r := call(t, http.MethodPost, "/me/notifications/read", token, map[string]any{"up_to": time.Now().UTC().Format(time.RFC3339Nano)})
	if r.Status != http.StatusOK || r.Body["marked"] != float64(2) || r.Body["unread"] != float64(0) {
		t.Errorf("mark read up to now: %d %s", r.Status, r.Raw)
	}
	after := call(t, http.MethodGet, "/me/notifications", token, nil)
	if after.Body["unread"] != float64(0) || after.Body["notifications"].([]any)[0].(map[string]any)["read_at"] == nil {
		t.Errorf("after marking read: %s", after.Raw)
	}
}
