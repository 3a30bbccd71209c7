package store_test

import (
	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// Failure records are written by every consumer and read by the redrive
// tool; both adapters must do both (payments.Store is in ports_test.go).
var (
	_ queue.FailureRecorder = (*store.Table)(nil)
	_ dlq.FailureReader     = (*store.Table)(nil)
	_ queue.FailureRecorder = (*memstore.Store)(nil)
	_ dlq.FailureReader     = (*memstore.Store)(nil)
)
