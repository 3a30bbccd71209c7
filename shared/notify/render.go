package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The message templates, one directory per locale: common.tmpl (shared
// pieces), sms.tmpl (the short message of each event: the SMS and the inbox
// body), email.tmpl (the subject of each event and the text part) and
// email.html (the HTML part). Text parts use text/template; the HTML part
// uses html/template, which escapes every value (a restaurant or dish name
// is data, never markup).
//
//go:embed templates
var templateFS embed.FS

// View is what a message may say about an order.
type View struct {
	OrderID    string
	Restaurant string
	Items      []ViewItem
	// Total is the order total formatted for the locale (€12.50, 12,50 €).
	Total string
	// CourierFirstName is empty until a courier is assigned.
	CourierFirstName string
	// ETAMinutes is the courier's estimate in minutes, 0 when not known.
	ETAMinutes int
	// Reason says why a payment failed: declined, expired_card or provider_unavailable.
	Reason string
}

// ViewItem is one line of the order.
type ViewItem struct {
	Quantity int
	Name     string
}

// Payment failure reasons a message can explain.
const (
	ReasonDeclined            = "declined"
	ReasonExpiredCard         = "expired_card"
	ReasonProviderUnavailable = "provider_unavailable"
)

// Rendered is one event's message in one locale, every part of it.
type Rendered struct {
	Subject string // email subject and inbox title
	Short   string // SMS text and inbox body
	Text    string // email text part
	HTML    string // email HTML part
}

// emailView is what the email layouts see: the order plus its message.
type emailView struct {
	View
	Subject, Summary string
}

type localeTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates are parsed on first use per locale, not at init: a cold start
// pays for nothing it does not send.
var (
	parsedMu sync.Mutex
	parsed   = map[string]*localeTemplates{}
)

func templatesFor(locale string) (*localeTemplates, error) {
	if !domain.ValidLocale(locale) {
		locale = domain.DefaultLocale
	}
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if t, ok := parsed[locale]; ok {
		return t, nil
	}
	dir := "templates/" + locale + "/"
	text, err := texttemplate.ParseFS(templateFS, dir+"common.tmpl", dir+"sms.tmpl", dir+"email.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse %s text templates: %w", locale, err)
	}
	html, err := htmltemplate.ParseFS(templateFS, dir+"email.html")
	if err != nil {
		return nil, fmt.Errorf("parse %s HTML template: %w", locale, err)
	}
	t := &localeTemplates{text: text.Option("missingkey=error"), html: html.Option("missingkey=error")}
	parsed[locale] = t
	return t, nil
}

// Render writes the message of an event type in a locale (an unknown locale
// falls back to the default).
func Render(locale, eventType string, v View) (Rendered, error) {
	t, err := templatesFor(locale)
	if err != nil {
		return Rendered{}, err
	}
	exec := func(name string, data any) (string, error) {
		var b bytes.Buffer
		if err := t.text.ExecuteTemplate(&b, name, data); err != nil {
			return "", fmt.Errorf("render %s (%s): %w", name, locale, err)
		}
		return b.String(), nil
	}
	var r Rendered
	if r.Subject, err = exec("subject "+eventType, v); err != nil {
		return Rendered{}, err
	}
	if r.Short, err = exec("sms "+eventType, v); err != nil {
		return Rendered{}, err
	}
	ev := emailView{View: v, Subject: r.Subject, Summary: r.Short}
	if r.Text, err = exec("text", ev); err != nil {
		return Rendered{}, err
	}
	var b bytes.Buffer
	if err := t.html.ExecuteTemplate(&b, "html", ev); err != nil {
		return Rendered{}, fmt.Errorf("render html (%s): %w", locale, err)
	}
	r.HTML = b.String()
	return r, nil
}

// Money formats an amount in minor units for a locale: €12.50 in English,
// 12,50 € in German; currencies without a symbol here keep their code.
func Money(minor int64, currency, locale string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	symbol := map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}[currency]
	if locale == "de" {
		if symbol == "" {
			symbol = currency
		}
		return fmt.Sprintf("%s%d,%02d %s", sign, minor/100, minor%100, symbol)
	}
	if symbol == "" {
		return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, symbol, minor/100, minor%100)
}

// FirstName is what a message calls a person: the first word of their name.
func FirstName(name string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first
}

// PaymentReason maps the reason the ledger recorded for a failed charge to
// what a message can tell the customer.
func PaymentReason(declineReason string) string {
	switch declineReason {
	case "expired_card":
		return ReasonExpiredCard
	case "provider_unavailable", "voided":
		// voided: the charge was given up after the provider did not answer.
		return ReasonProviderUnavailable
	}
	return ReasonDeclined
}
