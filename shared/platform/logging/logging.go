// Package logging sets up structured JSON logs and carries per-request fields
// (request_id, order_id, correlation_id) through the context.
package logging

import (
	"context"
	"log/slog"
	"os"
	"strings"
)

// Setup installs a JSON slog handler tagged with the function's name and
// returns it. LOG_LEVEL picks the level (DEBUG, INFO, WARN, ERROR).
func Setup(function string) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToUpper(os.Getenv("LOG_LEVEL")) {
	case "DEBUG":
		level = slog.LevelDebug
	case "WARN":
		level = slog.LevelWarn
	case "ERROR":
		level = slog.LevelError
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level})).
		With("function", function)
	slog.SetDefault(logger)
	return logger
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
