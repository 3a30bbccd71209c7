package devstack

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// PlantPoisonRefund stores an order without a courier (NO_COURIER) whose charge is missing from the ledger: the
// stream publishes its NoCourierAvailable, and the payment function fails every try ("has no charge to refund")
// until the message reaches the payment DLQ. The tests and the ops console's browser test use it to make a poison
// message; FixPoisonRefund is the operator's fix.
func PlantPoisonRefund(ctx context.Context, table *store.Table, customerID, prefix string) (domain.Order, error) {
	now := time.Now().UTC()
	o := domain.Order{ID: fmt.Sprintf("%s-%d", prefix, now.UnixNano()), CustomerID: customerID, RestaurantID: "taco-loco",
		RestaurantName: "Taco Loco", PickupLocation: domain.LatLng{Lat: 52.538, Lng: 13.409},
		DeliveryLocation: domain.LatLng{Lat: 52.535, Lng: 13.41}, SubtotalMinor: 990, DeliveryFeeMinor: 199, TotalMinor: 1189,
		Currency: "EUR", Status: domain.StatusNoCourier, PaymentToken: simprovider.TokenVisa, Version: 3,
		CreatedAt: now, UpdatedAt: now}
	o.CorrelationID = o.ID
	return o, table.CreateOrder(ctx, o)
}

// FixPoisonRefund restores the missing ledger entry from the provider's books (charging there first, as the lost
// charge had), after which a redriven NoCourierAvailable refunds the order.
func FixPoisonRefund(ctx context.Context, ddb *dynamodb.Client, providerTable string, table *store.Table, o domain.Order) error {
	sim := simprovider.New(simprovider.NewDynamoBooks(ddb, providerTable), simprovider.Config{}, time.Now)
	res, err := sim.Charge(ctx, payments.ChargeRequest{IdempotencyKey: o.ID, MerchantRef: o.ID, Token: simprovider.TokenVisa,
		AmountMinor: o.TotalMinor, Currency: o.Currency})
	if err != nil {
		return fmt.Errorf("provider charge of %s: %w", o.ID, err)
	}
	if res.Outcome != payments.Captured {
		return fmt.Errorf("provider charge of %s: %+v", o.ID, res)
	}
	// Safe to repeat: a ledger entry restored by an earlier try is the same captured charge.
	got, created, err := table.BeginCharge(ctx, domain.Charge{OrderID: o.ID, AmountMinor: o.TotalMinor, Currency: o.Currency,
		Status: domain.ChargeCaptured, ProviderRef: res.Reference, CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt})
	if err != nil {
		return fmt.Errorf("restore the ledger entry of %s: %w", o.ID, err)
	}
	if !created && (got.Status != domain.ChargeCaptured || got.AmountMinor != o.TotalMinor) {
		return fmt.Errorf("restore the ledger entry of %s: found %+v", o.ID, got)
	}
	return nil
}
