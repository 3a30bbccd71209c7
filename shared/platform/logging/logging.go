// Package logging sets up structured JSON logs and carries per-request fields
// (order_id, correlation_id, trace_id…) through the context. Every line also
// carries the function's name and the Lambda request id of the invocation
// being served (request_id), whichever logger wrote it.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
)

// Setup installs a JSON slog handler tagged with the function's name and
// returns it. LOG_LEVEL picks the level (DEBUG, INFO, WARN, ERROR).
func Setup(function string) *slog.Logger {
	return SetupTo(os.Stdout, function)
}

// SetupTo is Setup writing to w (tests).
func SetupTo(w io.Writer, function string) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToUpper(os.Getenv("LOG_LEVEL")) {
	case "DEBUG":
		level = slog.LevelDebug
	case "WARN":
		level = slog.LevelWarn
	case "ERROR":
		level = slog.LevelError
	}
	logger := slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})}).
		With("function", function)
	slog.SetDefault(logger)
	return logger
}

// currentRequestID is the Lambda request id of the invocation being served.
// One process serves one invocation at a time (the Lambda runtime contract,
// which emulators keep), so a process-wide value is exact, and it reaches lines
// written through loggers that never saw the invocation's context.
var currentRequestID atomic.Pointer[string]

// SetRequestID names the invocation being served ("" when none);
// shared/platform/observe calls it around every invocation.
func SetRequestID(id string) { currentRequestID.Store(&id) }

// RequestID is the id SetRequestID set last.
func RequestID() string {
	if p := currentRequestID.Load(); p != nil {
		return *p
	}
	return ""
}

// requestIDHandler adds request_id to every record while an invocation runs.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

type ctxKey struct{}

// With returns a context whose logger carries the extra attributes.
func With(ctx context.Context, args ...any) context.Context {
	return context.WithValue(ctx, ctxKey{}, From(ctx).With(args...))
}

// From returns the context's logger, or the default one.
func From(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
