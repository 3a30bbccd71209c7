//go:build sdkfloor_text

package main

import (
	"bytes"
	"context"
	"sync"
	"text/template"

	"github.com/aws/aws-sdk-go-v2/aws"
)

const textSource = `{{define "eta"}}{{with .ETAMinutes}}, about {{.}} minutes away{{end}}{{end}}` +
	`{{define "sms"}}{{.CourierFirstName}} is picking up your order at {{.Restaurant}}{{template "eta" .}}.{{end}}` +
	`{{define "text"}}{{template "sms" .}}{{range .Items}}
{{.Quantity}} x {{.Name}}{{end}}
Total {{.Total}}{{end}}`

var textTemplates = sync.OnceValues(func() (*template.Template, error) {
	return template.New("messages").Option("missingkey=error").Parse(textSource)
})

func init() {
	parts = append(parts, func(aws.Config) func(context.Context) error {
		return func(context.Context) error {
			t, err := textTemplates()
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.ExecuteTemplate(&b, "sms", sample); err != nil {
				return err
			}
			return t.ExecuteTemplate(&b, "text", sample)
		}
	})
}
