// Package platform groups the Lambda plumbing every function shares: reading
// a function's configuration (env.go), and in its sub-packages logging, AWS
// client set-up, tracing and API Gateway request/response handling. Nothing in
// here knows about orders: no package under shared/platform imports
// shared/domain, even indirectly (TestPlatformDoesNotDependOnTheDomain). The
// domain's error kinds it maps are shared/apperr's; the SQS consumer of the
// app's events is shared/queue.
package platform
