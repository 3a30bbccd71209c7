package payments

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// PutObjectAPI is the part of the S3 client receipts need.
type PutObjectAPI interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// S3Receipts writes one JSON receipt per paid order. The key is the order id,
// so a retried write replaces the receipt with an identical one.
type S3Receipts struct {
	client PutObjectAPI
	bucket string
}

// NewS3Receipts returns the S3 receipt store.
func NewS3Receipts(client PutObjectAPI, bucket string) *S3Receipts {
	return &S3Receipts{client: client, bucket: bucket}
}

// Receipt is the document customers and accountants read.
type Receipt struct {
	OrderID          string             `json:"order_id"`
	CustomerID       string             `json:"customer_id"`
	Restaurant       string             `json:"restaurant"`
	Lines            []domain.OrderLine `json:"lines"`
	SubtotalMinor    int64              `json:"subtotal_minor"`
	DeliveryFeeMinor int64              `json:"delivery_fee_minor"`
	TotalMinor       int64              `json:"total_minor"`
	Currency         string             `json:"currency"`
	ProviderRef      string             `json:"provider_reference"`
	PaidAt           string             `json:"paid_at"`
}

// ReceiptKey is where an order's receipt lives in the bucket.
func ReceiptKey(orderID string) string { return ReceiptPrefix + orderID + ".json" }

// ReceiptPrefix starts every receipt's key; the payment function may put objects under it only (infra).
const ReceiptPrefix = "receipts/"

// PutReceipt implements Receipts.
func (r *S3Receipts) PutReceipt(ctx context.Context, o domain.Order, c domain.Charge) error {
	body, err := json.Marshal(Receipt{
		OrderID: o.ID, CustomerID: o.CustomerID, Restaurant: o.RestaurantName, Lines: o.Lines,
		SubtotalMinor: o.SubtotalMinor, DeliveryFeeMinor: o.DeliveryFeeMinor, TotalMinor: o.TotalMinor,
		Currency: o.Currency, ProviderRef: c.ProviderRef, PaidAt: c.UpdatedAt.Format("2006-01-02T15:04:05Z07:00"),
	})
	if err != nil {
		return err
	}
	_, err = r.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &r.bucket, Key: aws.String(ReceiptKey(o.ID)),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("put receipt of order %s: %w", o.ID, err)
	}
	return nil
}
