// Package httpapi adapts API Gateway HTTP API (payload 2.0) events to plain
// handlers: it decodes the request, identifies the caller from the JWT claims,
// routes by method and path, and renders JSON responses and errors.
package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Request mirrors events.APIGatewayV2HTTPRequest, except that JWT claims are
// kept raw. API Gateway on AWS passes every claim as a string (groups as
// "[customer ops]"); the emulator passes them with their JSON types (groups as
// ["customer"]). The library type cannot decode the latter, so claims are
// parsed here in a way that accepts both.
type Request struct {
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	PathParameters        map[string]string `json:"pathParameters"`
	Body                  string            `json:"body"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	RequestContext        RequestContext    `json:"requestContext"`
}

// RequestContext holds what API Gateway adds about the call.
type RequestContext struct {
	RequestID  string      `json:"requestId"`
	HTTP       HTTPContext `json:"http"`
	Authorizer *Authorizer `json:"authorizer,omitempty"`
}

// HTTPContext is the method and path as API Gateway saw them.
type HTTPContext struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Authorizer carries the verified JWT's claims.
type Authorizer struct {
	JWT struct {
		Claims map[string]json.RawMessage `json:"claims"`
	} `json:"jwt"`
}

// Header returns a header value, case-insensitively.
func (r Request) Header(name string) string {
	if v, ok := r.Headers[name]; ok {
		return v
	}
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// BodyBytes returns the body, decoding base64 when API Gateway encoded it.
func (r Request) BodyBytes() ([]byte, error) {
	if r.IsBase64Encoded {
		return base64.StdEncoding.DecodeString(r.Body)
	}
	return []byte(r.Body), nil
}

// Method returns the HTTP method.
func (r Request) Method() string {
	if r.RequestContext.HTTP.Method != "" {
		return strings.ToUpper(r.RequestContext.HTTP.Method)
	}
	method, _, _ := strings.Cut(r.RouteKey, " ")
	return strings.ToUpper(method)
}

// Path returns the request path, without any stage prefix.
func (r Request) Path() string {
	if r.RawPath != "" {
		return r.RawPath
	}
	return r.RequestContext.HTTP.Path
}
