// Package platform groups the Lambda plumbing every function shares: logging,
// AWS client set-up, API Gateway request/response handling and SQS batch
// processing. Nothing in here knows about orders.
package platform
