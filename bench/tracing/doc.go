// Package tracing holds the cold-start comparison of the tracing choices (docs/observability.md): four
// hello-sdk functions (a DynamoDB client, one call per invocation), measured by `make bench` beside the
// functions. It is a module of its own so that the X-Ray SDK and OpenTelemetry, which the functions do not use,
// stay out of the app's go.mod.
//
//	none     the SDK configuration built without any instrumentation (what hello-sdk was before observability)
//	ours     awsenv.MustLoad (shared/platform/awstrace: calls counted, X-Ray subsegments over UDP) and
//	         observe.Setup/Handler (request ids on log lines, EMF metrics): what every function now runs
//	xraysdk  none + the AWS X-Ray SDK for Go's AWS SDK v2 instrumentation
//	otel     none + OpenTelemetry: an SDK tracer provider with the OTLP/HTTP exporter (what the ADOT collector
//	         layer receives) and otelaws' SDK middleware
package tracing
