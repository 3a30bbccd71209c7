package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
)

// event builds an API Gateway payload 2.0 event; claims is raw JSON or "".
func event(method, path, body, claims string) json.RawMessage {
	auth := ""
	if claims != "" {
		auth = `,"authorizer":{"jwt":{"claims":` + claims + `,"scopes":null}}`
	}
	b, _ := json.Marshal(body)
	return json.RawMessage(`{"version":"2.0","routeKey":"` + method + ` ` + path + `","rawPath":"` + path +
		`","headers":{"content-type":"application/json"},"body":` + string(b) +
		`,"requestContext":{"requestId":"r-1","http":{"method":"` + method + `","path":"` + path + `"}` + auth + `}}`)
}

func TestPrincipalAcceptsBothClaimShapes(t *testing.T) {
	cases := map[string]string{
		// What the emulator sends: claims with their JSON types.
		"emulator": `{"sub":"u-1","cognito:username":"ann","cognito:groups":["customer","ops"],"exp":1790000000}`,
		// What AWS sends: every claim as a string, lists as "[a b]".
		"aws": `{"sub":"u-1","cognito:username":"ann","cognito:groups":"[customer ops]","exp":"1790000000"}`,
	}
	for name, claims := range cases {
		t.Run(name, func(t *testing.T) {
			var req httpapi.Request
			if err := json.Unmarshal(event("GET", "/x", "", claims), &req); err != nil {
				t.Fatal(err)
			}
			p, ok := req.Principal()
			if !ok || p.Subject != "u-1" || p.Username != "ann" {
				t.Fatalf("principal %+v ok=%v", p, ok)
			}
			if !p.InGroup("customer") || !p.InGroup("ops") || p.InGroup("courier") {
				t.Fatalf("groups %v", p.Groups)
			}
		})
	}
}

func TestPrincipalWithoutGroupsOrToken(t *testing.T) {
	var req httpapi.Request
	_ = json.Unmarshal(event("GET", "/x", "", `{"sub":"u-2","cognito:groups":"courier"}`), &req)
	if p, _ := req.Principal(); len(p.Groups) != 1 || !p.InGroup("courier") {
		t.Fatalf("single group as a bare string: %v", p.Groups)
	}
	var anonymous httpapi.Request
	_ = json.Unmarshal(event("GET", "/x", "", ""), &anonymous)
	if _, ok := anonymous.Principal(); ok {
		t.Fatal("a request without an authorizer has no principal")
	}
}

func TestRouterMatchesRoutesAndProtectsAuthenticatedOnes(t *testing.T) {
	rt := httpapi.NewRouter([]apiroutes.Route{
		{Method: "GET", Path: "/orders/{id}"},
		{Method: "GET", Path: "/boom", Public: true},
	})
	rt.Handle("GET /orders/{id}", func(_ context.Context, _ httpapi.Request, p httpapi.Principal, params map[string]string) (httpapi.Response, error) {
		return httpapi.JSON(http.StatusOK, map[string]string{"id": params["id"], "who": p.Subject}), nil
	})
	rt.Handle("GET /boom", func(context.Context, httpapi.Request, httpapi.Principal, map[string]string) (httpapi.Response, error) {
		return httpapi.Response{}, errors.New("dynamodb: secret table arn:aws:... exploded")
	})
	ctx := context.Background()
	resp, _ := rt.Serve(ctx, event("GET", "/orders/o-9", "", `{"sub":"u-1"}`))
	if resp.StatusCode != 200 || resp.Body != `{"id":"o-9","who":"u-1"}` {
		t.Fatalf("matched route: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := rt.Serve(ctx, event("GET", "/orders/o-9", "", "")); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no principal: %d", resp.StatusCode)
	}
	if resp, _ := rt.Serve(ctx, event("POST", "/orders/o-9", "", `{"sub":"u-1"}`)); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("wrong method: %d", resp.StatusCode)
	}
	if resp, _ := rt.Serve(ctx, event("GET", "/nope", "", "")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	resp, _ = rt.Serve(ctx, event("GET", "/boom", "", ""))
	if resp.StatusCode != 500 || strings.Contains(resp.Body, "arn:aws") {
		t.Fatalf("internal errors must not leak: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestRouterServesOnlyItsTable: the route table is the list of routes, so a handler for a key the table lacks, or
// a second handler for one, stops the function at start; Unhandled names the table's routes still without one.
func TestRouterServesOnlyItsTable(t *testing.T) {
	table := []apiroutes.Route{{Method: "GET", Path: "/a"}, {Method: "POST", Path: "/b/{id}"}}
	ok := func(context.Context, httpapi.Request, httpapi.Principal, map[string]string) (httpapi.Response, error) {
		return httpapi.JSON(http.StatusOK, nil), nil
	}
	rt := httpapi.NewRouter(table)
	if got := rt.Unhandled(); strings.Join(got, ",") != "GET /a,POST /b/{id}" {
		t.Fatalf("Unhandled before any handler = %v", got)
	}
	rt.Handle("POST /b/{id}", ok)
	if got := rt.Unhandled(); strings.Join(got, ",") != "GET /a" {
		t.Fatalf("Unhandled = %v, want GET /a", got)
	}
	for _, key := range []string{"GET /elsewhere", "POST /b/{id}", "GET /b/{id}"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Handle(%q) did not panic", key)
				}
			}()
			rt.Handle(key, ok)
		}()
	}
	if got := rt.Routes(); len(got) != 1 || got[0] != (httpapi.RouteInfo{Method: "POST", Path: "/b/{id}"}) {
		t.Fatalf("Routes = %+v", got)
	}
}

func TestDecodeJSONNamesTheField(t *testing.T) {
	type body struct {
		Items []struct {
			Quantity int `json:"quantity"`
		} `json:"items"`
		Name string `json:"name"`
	}
	cases := map[string]string{
		`{"items":[{"quantity":"two"}]}`: "items.quantity",
		`{"name":7}`:                     "name",
		`{"name":`:                       "body",
		`not json`:                       "body",
		``:                               "body",
		`{"name":"a"} {"name":"b"}`:      "body",
		`{"name":"` + strings.Repeat("x", 64*1024) + `"}`: "body",
	}
	for raw, field := range cases {
		var req httpapi.Request
		_ = json.Unmarshal(event("POST", "/x", raw, ""), &req)
		var dst body
		err := httpapi.DecodeJSON(req, &dst)
		var invalid *domain.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != field {
			t.Errorf("%.40q: error %v, want field %q", raw, err, field)
		}
	}
	var req httpapi.Request
	_ = json.Unmarshal(event("POST", "/x", `{"name":"ok","price":1}`, ""), &req)
	var dst body
	if err := httpapi.DecodeJSON(req, &dst); err != nil || dst.Name != "ok" {
		t.Fatalf("unknown fields are ignored: %v %+v", err, dst)
	}
}

func TestErrorsMapToStatuses(t *testing.T) {
	for err, status := range map[error]int{
		domain.Invalid("items", "bad"): 400,
		domain.ErrNotFound:             404,
		domain.ErrForbidden:            403,
		domain.ErrConflict:             409,
		&domain.TransitionError{From: "DELIVERED", To: "CANCELLED"}: 409,
		errors.New("boom"): 500,
	} {
		if got := httpapi.FromError(err).StatusCode; got != status {
			t.Errorf("%v → %d, want %d", err, got, status)
		}
	}
	var body httpapi.ErrorBody
	_ = json.Unmarshal([]byte(httpapi.FromError(domain.Invalid("items[0].quantity", "must be positive")).Body), &body)
	if body.Error.Field != "items[0].quantity" || body.Error.Code != "invalid_request" || body.Error.Message == "" {
		t.Fatalf("error body %+v", body)
	}
}
