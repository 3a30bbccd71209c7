package store_test

import (
	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/notifyapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/storetest"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// Both adapters must satisfy every use case's port; this fails to compile
// otherwise, which keeps the in-memory tests honest about the real store.
var (
	_ orders.Store           = (*store.Table)(nil)
	_ payments.Store         = (*store.Table)(nil)
	_ delivery.Store         = (*store.Table)(nil)
	_ notify.Store           = (*store.Table)(nil)
	_ notify.InboxWriter     = (*store.Table)(nil)
	_ notifyapi.AccountStore = (*store.Table)(nil)
	_ tracking.Store         = (*store.Table)(nil)
	_ sweeper.Store          = (*store.Table)(nil)
	_ orders.Store           = (*memstore.Store)(nil)
	_ payments.Store         = (*memstore.Store)(nil)
	_ delivery.Store         = (*memstore.Store)(nil)
	_ notify.Store           = (*memstore.Store)(nil)
	_ notify.InboxWriter     = (*memstore.Store)(nil)
	_ notifyapi.AccountStore = (*memstore.Store)(nil)
	_ tracking.Store         = (*memstore.Store)(nil)
	_ sweeper.Store          = (*memstore.Store)(nil)
)

// The store contract suite (storetest) runs against both.
var (
	_ storetest.Store = (*store.Table)(nil)
	_ storetest.Store = (*memstore.Store)(nil)
)
