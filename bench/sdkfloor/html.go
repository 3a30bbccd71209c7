//go:build sdkfloor_html

package main

import (
	"bytes"
	"context"
	"html/template"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const htmlSource = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{.Restaurant}}</title></head><body>
<h1>Your order from {{.Restaurant}}</h1><table>{{range .Items}}<tr><td>{{.Quantity}} &times;</td><td>{{.Name}}</td></tr>
{{end}}<tr><th>Total</th><td>{{.Total}}</td></tr></table><p>Order reference: {{.OrderID}}</p></body></html>`

var htmlTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("html").Option("missingkey=error").Parse(htmlSource)
})

func init() {
	parts = append(parts, func(aws.Config) func(context.Context) error {
		return func(context.Context) error {
			t, err := htmlTemplate()
			if err != nil {
				return err
			}
			var b bytes.Buffer
			return t.Execute(&b, sample)
		}
	})
}
