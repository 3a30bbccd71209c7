package notify

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The message templates, one directory per locale: common.tmpl (shared
// pieces), sms.tmpl (the short message of each event: the SMS and the inbox
// body) and email.tmpl (the subject of each event and the text part), all
// text/template. The email's HTML part is the email channel's alone
// (shared/notify/emailhtml): html/template's init is 0.08 ms of every cold
// start of a binary that links it, which the inbox and SMS channels never use.
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

// Rendered is one event's message in one locale.
type Rendered struct {
	Subject string // email subject and inbox title
	Short   string // SMS text and inbox body
	Text    string // email text part
	HTML    string // email HTML part: only emailhtml.Render writes it
}

// Renderer writes the message of an event type in a locale: Render, or for the
// email channel emailhtml.Render, which adds the HTML part.
type Renderer func(locale, eventType string, v View) (Rendered, error)

// EmailView is what the email layouts (the text part here, the HTML part in
// emailhtml) see: the order plus its message.
type EmailView struct {
	View
	Subject, Summary string
}

// templates are parsed on first use per locale, not at init: a cold start
// pays for nothing it does not send.
var (
	parsedMu sync.Mutex
	parsed   = map[string]*texttemplate.Template{}
)

func templatesFor(locale string) (*texttemplate.Template, error) {
	locale = SupportedLocale(locale)
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
	t := text.Option("missingkey=error")
	parsed[locale] = t
	return t, nil
}

// SupportedLocale is the locale messages are written in: locale itself, or
// the default for one without templates.
func SupportedLocale(locale string) string {
	if !domain.ValidLocale(locale) {
		return domain.DefaultLocale
	}
	return locale
}

// Render writes the subject, the short message and the email's text part of
// an event type in a locale (an unknown locale falls back to the default).
func Render(locale, eventType string, v View) (Rendered, error) {
	t, err := templatesFor(locale)
	if err != nil {
		return Rendered{}, err
	}
	exec := func(name string, data any) (string, error) {
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
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
	if r.Text, err = exec("text", EmailView{View: v, Subject: r.Subject, Summary: r.Short}); err != nil {
		return Rendered{}, err
	}
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
