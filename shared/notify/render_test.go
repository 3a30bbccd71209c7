package notify_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/emailhtml"
)

// go test ./shared/notify -run TestTemplatesGolden -update rewrites the golden files from the templates; review
// the diff like any other change to what customers read.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenView is an order with everything a message can mention.
func goldenView(eventType string) notify.View {
	v := notify.View{
		OrderID:    "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
		Restaurant: "Sakura Sushi",
		Items:      []notify.ViewItem{{Quantity: 2, Name: "California roll"}, {Quantity: 1, Name: "Miso soup"}},
	}
	switch eventType {
	case "CourierAssigned", "OrderPickedUp":
		v.CourierFirstName, v.ETAMinutes = "Anna", 18
	case "PaymentFailed":
		v.Reason = notify.ReasonExpiredCard
	}
	return v
}

// TestTemplatesGolden renders every event type in every locale, all parts (subject, SMS and inbox text, email text
// and HTML), and compares them with testdata/golden/<locale>/<event type>.golden.
func TestTemplatesGolden(t *testing.T) {
	for _, locale := range domain.Locales {
		for _, typ := range notify.EventTypes() {
			t.Run(locale+"/"+typ, func(t *testing.T) {
				v := goldenView(typ)
				v.Total = notify.Money(2349, "EUR", locale)
				r, err := emailhtml.Render(locale, typ, v)
				if err != nil {
					t.Fatal(err)
				}
				if short, err := notify.Render(locale, typ, v); err != nil || short.HTML != "" ||
					short.Subject != r.Subject || short.Short != r.Short || short.Text != r.Text {
					t.Errorf("notify.Render must write the same text parts and no HTML: %+v, %v", short, err)
				}
				for part, s := range map[string]string{"subject": r.Subject, "sms": r.Short, "text": r.Text, "html": r.HTML} {
					if strings.TrimSpace(s) == "" || strings.Contains(s, "<no value>") {
						t.Errorf("%s is empty or has a missing value: %q", part, s)
					}
				}
				got := "== subject\n" + r.Subject + "\n== sms (" + itoa(len([]rune(r.Short))) + " characters)\n" + r.Short +
					"\n== text\n" + r.Text + "== html\n" + r.HTML
				path := filepath.Join("testdata", "golden", locale, typ+".golden")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./shared/notify -run TestTemplatesGolden -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the templates' output; if the change is meant, run with -update.\ngot:\n%s", path, got)
				}
			})
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestOptionalFactsAreLeftOutWhenUnknown(t *testing.T) {
	v := goldenView("OrderPickedUp")
	v.CourierFirstName, v.ETAMinutes, v.Total = "", 0, "€23.49"
	r, err := notify.Render("en", "OrderPickedUp", v)
	if err != nil {
		t.Fatal(err)
	}
	if r.Short != "Your courier is on the way to you with your food from Sakura Sushi." {
		t.Fatalf("sms %q", r.Short)
	}
}

func TestPaymentFailureReasons(t *testing.T) {
	for reason, want := range map[string]string{
		notify.ReasonDeclined:            "your card was declined",
		notify.ReasonExpiredCard:         "your card has expired",
		notify.ReasonProviderUnavailable: "our payment provider was unavailable",
	} {
		v := goldenView("PaymentFailed")
		v.Reason, v.Total = reason, "€23.49"
		r, err := notify.Render("en", "PaymentFailed", v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Short, want) {
			t.Errorf("%s: %q lacks %q", reason, r.Short, want)
		}
	}
	for ledger, want := range map[string]string{"insufficient_funds": notify.ReasonDeclined, "provider_rejected": notify.ReasonDeclined,
		"expired_card": notify.ReasonExpiredCard, "provider_unavailable": notify.ReasonProviderUnavailable, "voided": notify.ReasonProviderUnavailable} {
		if got := notify.PaymentReason(ledger); got != want {
			t.Errorf("PaymentReason(%q) = %q, want %q", ledger, got, want)
		}
	}
}

func TestHTMLEscapesWhatCustomersAndRestaurantsWrite(t *testing.T) {
	v := goldenView("OrderDelivered")
	v.Restaurant, v.Items[0].Name, v.Total = `<script>alert(1)</script>`, `Fish & "Chips"`, "€1.00"
	r, err := emailhtml.Render("en", "OrderDelivered", v)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.HTML, "<script>") || !strings.Contains(r.HTML, "&lt;script&gt;") || !strings.Contains(r.HTML, "Fish &amp; &#34;Chips&#34;") {
		t.Fatalf("HTML part does not escape:\n%s", r.HTML)
	}
	if !strings.Contains(r.Text, "<script>") {
		t.Fatal("the text part is plain text and must not be HTML-escaped")
	}
}

func TestMoneyAndUnknownLocale(t *testing.T) {
	for _, c := range []struct {
		minor          int64
		cur, loc, want string
	}{{2349, "EUR", "en", "€23.49"}, {2349, "EUR", "de", "23,49 €"}, {5, "USD", "en", "$0.05"}, {100, "CHF", "en", "1.00 CHF"}, {100, "CHF", "de", "1,00 CHF"}} {
		if got := notify.Money(c.minor, c.cur, c.loc); got != c.want {
			t.Errorf("Money(%d, %s, %s) = %q, want %q", c.minor, c.cur, c.loc, got, c.want)
		}
	}
	v := goldenView("OrderDelivered")
	v.Total = "€1.00"
	r, err := notify.Render("fr", "OrderDelivered", v)
	if err != nil || !strings.HasPrefix(r.Subject, "Your order") {
		t.Fatalf("unknown locale must fall back to English: %q %v", r.Subject, err)
	}
}
