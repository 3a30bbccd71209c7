// Command webserve serves the web app in web/ on 127.0.0.1 for local use, and
// answers /config.json with the settings the app needs, built from the stack
// outputs and the emulator endpoint:
//
//	AWS_ENDPOINT_URL=http://localhost:4566 go run ./scripts/webserve -port 8080 -outputs .run/4566/outputs.json
//
// config.json is {"apiBase", "cognitoEndpoint", "region", "userPoolId", "userPoolClientId", "webSocketUrl", "cadence"}:
// webSocketUrl is the live-tracking socket (stack output WebSocketUrl, empty for a stack without one) and cadence
// the clients' pace, shared/tracking/cadence.ForWeb().
// With an endpoint (-endpoint or AWS_ENDPOINT_URL) the API is reached through
// the emulator's path-style URL and Cognito at the endpoint itself; without one
// they are the stack's ApiUrl and https://cognito-idp.<region>.amazonaws.com/.
// The outputs file is read on every request for config.json, so a redeploy
// needs no restart. It listens on 127.0.0.1 only and stops cleanly on SIGINT or
// SIGTERM. Standard library only (plus the repo's devstack package).
//
// It also serves one file from outside web/: /vendor/amazon-cognito-identity.min.js, the browser bundle of AWS's
// Cognito client library (npm amazon-cognito-identity-js, pinned in package.json, installed by make tools), with
// which the app signs in by SRP (USER_SRP_AUTH): the password never leaves the browser.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

// webConfig is what the app reads from /config.json.
type webConfig struct {
	APIBase          string `json:"apiBase"`
	CognitoEndpoint  string `json:"cognitoEndpoint"`
	Region           string `json:"region"`
	UserPoolID       string `json:"userPoolId"` // the SRP exchange hashes the pool's name in
	UserPoolClientID string `json:"userPoolClientId"`
	WebSocketURL     string `json:"webSocketUrl"`
	// Cadence is the one statement of the clients' pace (shared/tracking/cadence), in milliseconds.
	Cadence cadence.Web `json:"cadence"`
}

// settings are the flags, resolved.
type settings struct {
	port     int
	dir      string
	outputs  string
	endpoint string
	region   string
	apiBase  string
	poolID   string
	clientID string
	vendor   string // the file served as /vendor/amazon-cognito-identity.min.js
}

// VendorCognito is where make tools puts the Cognito library's browser bundle (relative to the repository root).
const VendorCognito = "node_modules/amazon-cognito-identity-js/dist/amazon-cognito-identity.min.js"

func main() {
	var s settings
	flag.IntVar(&s.port, "port", 8080, "port to listen on (127.0.0.1 only; 0 picks a free one)")
	flag.StringVar(&s.dir, "dir", "web", "directory of the web app")
	flag.StringVar(&s.outputs, "outputs", "", "stack outputs file written by cdk deploy, e.g. .run/4566/outputs.json")
	flag.StringVar(&s.endpoint, "endpoint", os.Getenv("AWS_ENDPOINT_URL"), "emulator endpoint (default $AWS_ENDPOINT_URL; empty: AWS)")
	flag.StringVar(&s.region, "region", firstNonEmpty(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1"), "AWS region")
	flag.StringVar(&s.apiBase, "api-base", "", "API base URL (overrides the one from -outputs)")
	flag.StringVar(&s.poolID, "pool-id", "", "Cognito user pool id (overrides the one from -outputs)")
	flag.StringVar(&s.clientID, "client-id", "", "Cognito user pool client id (overrides the one from -outputs)")
	flag.StringVar(&s.vendor, "cognito-js", VendorCognito, "the browser bundle of amazon-cognito-identity-js, served as /vendor/amazon-cognito-identity.min.js")
	flag.Parse()
	if err := run(s); err != nil {
		fmt.Fprintln(os.Stderr, "webserve:", err)
		os.Exit(1)
	}
}

func run(s settings) error {
	source := configSource(s)
	if _, err := source(); err != nil { // fail fast on a missing or broken outputs file
		return err
	}
	if _, err := os.Stat(s.vendor); err != nil {
		return fmt.Errorf("the sign-in library %s is missing (run make tools): %w", s.vendor, err)
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return fmt.Errorf("open web directory: %w", err)
	}
	defer root.Close()

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(root.FS(), s.vendor, source),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Printf("serving %s on http://%s (config from %s)", s.dir, ln.Addr(), describe(s))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func describe(s settings) string {
	if s.outputs != "" {
		return s.outputs
	}
	return "flags"
}

// configSource returns a function that builds config.json from the settings,
// re-reading the outputs file each time.
func configSource(s settings) func() (webConfig, error) {
	return func() (webConfig, error) {
		cfg := webConfig{Region: s.region, APIBase: s.apiBase, UserPoolID: s.poolID, UserPoolClientID: s.clientID, Cadence: cadence.ForWeb()}
		if s.outputs != "" {
			out, err := devstack.LoadOutputs(s.outputs)
			if err != nil {
				return webConfig{}, err
			}
			if cfg.APIBase == "" {
				cfg.APIBase = out.APIBase(s.endpoint)
			}
			if cfg.UserPoolID == "" {
				cfg.UserPoolID = out.UserPoolID
			}
			if cfg.UserPoolClientID == "" {
				cfg.UserPoolClientID = out.UserPoolClientID
			}
			cfg.WebSocketURL = out.WebSocketURL
		}
		if s.endpoint != "" {
			cfg.CognitoEndpoint = strings.TrimSuffix(s.endpoint, "/") + "/"
		} else {
			cfg.CognitoEndpoint = "https://cognito-idp." + s.region + ".amazonaws.com/"
		}
		if cfg.APIBase == "" || cfg.UserPoolID == "" || cfg.UserPoolClientID == "" {
			return webConfig{}, errors.New("no API base, user pool id or client id: pass -outputs, or -api-base, -pool-id and -client-id")
		}
		return cfg, nil
	}
}

// newHandler serves config.json, the Cognito library (the file vendor) and the files of site.
func newHandler(site fs.FS, vendor string, source func() (webConfig, error)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /vendor/amazon-cognito-identity.min.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFile(w, r, vendor)
	})
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := source()
		if err != nil {
			log.Printf("config.json: %v", err)
			http.Error(w, "configuration unavailable", http.StatusServiceUnavailable)
			return
		}
		body, _ := json.MarshalIndent(cfg, "", "  ")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(append(body, '\n'))
	})
	mux.Handle("/", staticFiles{site})
	return securityHeaders(mux, source)
}

// securityHeaders adds headers to every answer; the CSP lets the app talk only
// to its own origin, the API and Cognito.
func securityHeaders(next http.Handler, source func() (webConfig, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connect := []string{"'self'"}
		if cfg, err := source(); err == nil {
			for _, u := range []string{cfg.APIBase, cfg.CognitoEndpoint, cfg.WebSocketURL} {
				if o := origin(u); o != "" && !slices.Contains(connect, o) {
					connect = append(connect, o)
				}
			}
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src "+strings.Join(connect, " ")+
			"; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// staticFiles serves regular files of an fs.FS (an os.Root's, so symlinks
// cannot leave it either). It refuses any path with a ".." segment, hides
// dot files and never lists directories.
type staticFiles struct{ fsys fs.FS }

func (s staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			http.Error(w, "bad path", http.StatusBadRequest)
			return
		}
		if strings.HasPrefix(seg, ".") {
			http.NotFound(w, r)
			return
		}
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "index.html"
	}
	if !fs.ValidPath(name) {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	f, info, err := openFile(s.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Cache-Control", "no-cache")
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(f)
		if err != nil {
			http.Error(w, "read error", http.StatusInternalServerError)
			return
		}
		rs = strings.NewReader(string(data))
	}
	http.ServeContent(w, r, info.Name(), info.ModTime(), rs)
}

// openFile opens name, or name/index.html when name is a directory.
func openFile(fsys fs.FS, name string) (fs.File, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if info.IsDir() {
		f.Close()
		return openFile(fsys, path.Join(name, "index.html"))
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fs.ErrNotExist
	}
	return f, info, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
