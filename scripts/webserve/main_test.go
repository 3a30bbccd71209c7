package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

const outputsJSON = `{"FoodDelivery": {"ApiId": "abc123", "ApiUrl": "http://abc123.execute-api.localhost:4566/",
 "TableName": "t", "UserPoolId": "us-east-1_x", "UserPoolClientId": "client-1",
 "WebSocketUrl": "ws://localhost:4588/_aws/execute-api/ws123/live"}}`

// fixture lays out a site directory inside a parent that also holds a secret
// and the outputs file, and returns the handler serving the site.
func fixture(t *testing.T, s settings) (http.Handler, string) {
	t.Helper()
	parent := t.TempDir()
	site := filepath.Join(parent, "web")
	for name, body := range map[string]string{
		"index.html":    "<!doctype html><title>app</title>",
		"js/app.js":     "console.log('app');",
		"styles.css":    "body{}",
		".env":          "HIDDEN=1",
		"empty/.keep":   "",
		"../secret.txt": "TOP SECRET",
	} {
		path := filepath.Join(site, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(site, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if s.outputs == "" {
		s.outputs = filepath.Join(parent, "outputs.json")
		if err := os.WriteFile(s.outputs, []byte(outputsJSON), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenRoot(site)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	vendor := filepath.Join(parent, "cognito.min.js")
	if err := os.WriteFile(vendor, []byte("/*! cognito */ self.AmazonCognitoIdentity = {};"), 0o644); err != nil {
		t.Fatal(err)
	}
	return newHandler(root.FS(), vendor, configSource(s)), parent
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil))
	return rec
}

func TestConfigJSONOnTheEmulator(t *testing.T) {
	h, _ := fixture(t, settings{endpoint: "http://localhost:4588", region: "us-east-1"})
	rec := get(t, h, "/config.json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var cfg map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"apiBase":          "http://localhost:4588/_aws/execute-api/abc123",
		"cognitoEndpoint":  "http://localhost:4588/",
		"region":           "us-east-1",
		"userPoolId":       "us-east-1_x",
		"userPoolClientId": "client-1",
		"webSocketUrl":     "ws://localhost:4588/_aws/execute-api/ws123/live",
		// The clients' pace, from shared/tracking/cadence and nowhere else.
		"cadence": map[string]any{
			"recordEveryMs": float64(cadence.RecordEvery.Milliseconds()), "sendEveryMs": float64(cadence.SendEvery.Milliseconds()),
			"maxBatch": float64(cadence.MaxBatch), "fallbackPollEveryMs": float64(cadence.FallbackPollEvery.Milliseconds()),
		},
	}
	if fmt.Sprint(cfg) != fmt.Sprint(want) {
		t.Fatalf("config.json = %v, want %v", cfg, want)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' http://localhost:4588 ws://localhost:4588") {
		t.Fatalf("CSP %q does not allow the API and Cognito", csp)
	}
}

func TestConfigJSONOnAWS(t *testing.T) {
	h, _ := fixture(t, settings{region: "eu-central-1"})
	var cfg webConfig
	if err := json.Unmarshal(get(t, h, "/config.json").Body.Bytes(), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.APIBase != "http://abc123.execute-api.localhost:4566" || cfg.CognitoEndpoint != "https://cognito-idp.eu-central-1.amazonaws.com/" {
		t.Fatalf("config %+v", cfg)
	}
}

func TestConfigJSONWhenOutputsAreMissing(t *testing.T) {
	h, _ := fixture(t, settings{outputs: filepath.Join(t.TempDir(), "missing.json")})
	if rec := get(t, h, "/config.json"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
}

func TestStaticFiles(t *testing.T) {
	h, _ := fixture(t, settings{endpoint: "http://localhost:4566"})
	for target, want := range map[string]string{
		"/":           "<!doctype html>",
		"/index.html": "<!doctype html>",
		"/js/app.js":  "console.log",
		// The Cognito library's browser bundle, from node_modules, the one file served from outside the site.
		"/vendor/amazon-cognito-identity.min.js": "AmazonCognitoIdentity",
	} {
		rec := get(t, h, target)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d %q", target, rec.Code, rec.Body.String())
		}
	}
	if ct := get(t, h, "/js/app.js").Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("app.js content type %q: browsers refuse modules without a JavaScript type", ct)
	}
	if ct := get(t, h, "/vendor/amazon-cognito-identity.min.js").Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("the Cognito library's content type %q", ct)
	}
	for _, target := range []string{"/missing.js", "/.env", "/empty/", "/empty", "/vendor/other.js", "/vendor/"} {
		if rec := get(t, h, target); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", target, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/index.html", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", rec.Code)
	}
}

func TestPathTraversalIsRefused(t *testing.T) {
	h, _ := fixture(t, settings{endpoint: "http://localhost:4566"})

	// Straight into the handler: the path is not cleaned by anyone else.
	for _, p := range []string{"/../secret.txt", "/js/../../secret.txt", "/..", "/escape.txt", "/js/..%2f..%2fsecret.txt"} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		req.URL.Path = p
		if strings.Contains(p, "%") {
			req.URL.Path = strings.ReplaceAll(p, "%2f", "/")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "TOP SECRET") {
			t.Errorf("path %q: %d %q", p, rec.Code, rec.Body.String())
		}
	}

	// Over a real connection, with raw request targets no client would send.
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, target := range []string{"/../secret.txt", "/%2e%2e/secret.txt", "/js/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/escape.txt"} {
		status, body := rawGet(t, srv.Listener.Addr().String(), target)
		if status == http.StatusOK || strings.Contains(body, "TOP SECRET") {
			t.Errorf("GET %s over the wire: %d %q", target, status, body)
		}
	}
}

func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestRunRefusesABrokenOutputsFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "outputs.json")
	if err := os.WriteFile(bad, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(settings{outputs: bad, dir: t.TempDir(), port: 0}); err == nil {
		t.Fatal("run started without a usable outputs file")
	}
}
