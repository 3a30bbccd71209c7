// Package emailhtml writes the HTML part of the email channel's messages, with html/template, which escapes every
// value (a restaurant or dish name is data, never markup). It is apart from shared/notify so that only the email
// channel links html/template, whose init (its tables and regular expressions, 0.08 ms) would otherwise be paid at
// every cold start of the inbox and SMS channels too (docs/performance.md).
package emailhtml

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"sync"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
)

// One directory per locale, as shared/notify's text templates: email.html defines "html".
//
//go:embed templates
var templateFS embed.FS

// templates are parsed on first use per locale, not at init.
var (
	parsedMu sync.Mutex
	parsed   = map[string]*template.Template{}
)

func templateFor(locale string) (*template.Template, error) {
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if t, ok := parsed[locale]; ok {
		return t, nil
	}
	t, err := template.ParseFS(templateFS, "templates/"+locale+"/email.html")
	if err != nil {
		return nil, fmt.Errorf("parse %s HTML template: %w", locale, err)
	}
	t = t.Option("missingkey=error")
	parsed[locale] = t
	return t, nil
}

// Render is a notify.Renderer: notify.Render's parts and the HTML part, in the same locale.
func Render(locale, eventType string, v notify.View) (notify.Rendered, error) {
	r, err := notify.Render(locale, eventType, v)
	if err != nil {
		return notify.Rendered{}, err
	}
	locale = notify.SupportedLocale(locale)
	t, err := templateFor(locale)
	if err != nil {
		return notify.Rendered{}, err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "html", notify.EmailView{View: v, Subject: r.Subject, Summary: r.Short}); err != nil {
		return notify.Rendered{}, fmt.Errorf("render html (%s): %w", locale, err)
	}
	r.HTML = b.String()
	return r, nil
}
