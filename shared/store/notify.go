package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

const (
	deliveryPrefix = "NOTIFY#"
	preferencesSK  = "PREFERENCES"
	typeDelivery   = "delivery"
	typePrefs      = "preferences"
)

// deliveryItem is one notification on one channel (domain.Delivery), beside
// the order it is about: ORDER#<id> / NOTIFY#<event id>#<channel>.
type deliveryItem struct {
	keys
	Type              string    `dynamodbav:"type"`
	OrderID           string    `dynamodbav:"order_id"`
	EventID           string    `dynamodbav:"event_id"`
	EventType         string    `dynamodbav:"event_type"`
	CustomerID        string    `dynamodbav:"customer_id"`
	Channel           string    `dynamodbav:"channel"`
	Status            string    `dynamodbav:"status"`
	Reason            string    `dynamodbav:"reason,omitempty"`
	ProviderMessageID string    `dynamodbav:"provider_message_id,omitempty"`
	ClaimedAt         time.Time `dynamodbav:"claimed_at"`
	// ClaimedAtMs makes "claimed before the lease" a numeric comparison.
	ClaimedAtMs int64     `dynamodbav:"claimed_at_ms"`
	DoneAt      time.Time `dynamodbav:"done_at,omitempty"`
	// ClaimToken is unique to one ClaimDelivery call, so the call can recognise its own claim (see there).
	ClaimToken string `dynamodbav:"claim_token,omitempty"`
}

func deliveryKey(orderID, eventID, channel string) keys {
	return keys{PK: orderPrefix + orderID, SK: deliveryPrefix + eventID + "#" + channel}
}

func toDeliveryItem(d domain.Delivery) deliveryItem {
	return deliveryItem{keys: deliveryKey(d.OrderID, d.EventID, d.Channel), Type: typeDelivery,
		OrderID: d.OrderID, EventID: d.EventID, EventType: d.EventType, CustomerID: d.CustomerID, Channel: d.Channel,
		Status: string(d.Status), Reason: d.Reason, ProviderMessageID: d.ProviderMessageID,
		ClaimedAt: d.ClaimedAt, ClaimedAtMs: d.ClaimedAt.UnixMilli(), DoneAt: d.DoneAt}
}

func (it deliveryItem) domain() domain.Delivery {
	return domain.Delivery{OrderID: it.OrderID, EventID: it.EventID, EventType: it.EventType, CustomerID: it.CustomerID,
		Channel: it.Channel, Status: domain.DeliveryStatus(it.Status), Reason: it.Reason,
		ProviderMessageID: it.ProviderMessageID, ClaimedAt: it.ClaimedAt, DoneAt: it.DoneAt}
}

// ClaimDelivery writes d (status SENDING) unless the same event was claimed on
// the same channel before: the conditional write that makes a notification go
// out once per channel however often its event arrives. A claim still SENDING
// that was made before staleBefore was abandoned (its consumer crashed or
// failed to send) and is taken over. When the claim is refused, the existing
// delivery is returned.
//
// The SDK retries a write whose answer it did not get (a timeout, a response
// that fails its checksum); when the first attempt had been applied, the retry
// fails the condition against the claim it just wrote. The claim therefore
// carries a token of this call, and a refused claim that carries it is ours.
func (t *Table) ClaimDelivery(ctx context.Context, d domain.Delivery, staleBefore time.Time) (claimed bool, existing domain.Delivery, err error) {
	claim := toDeliveryItem(d)
	claim.ClaimToken = rand.Text()
	av, err := attributevalue.MarshalMap(claim)
	if err != nil {
		return false, domain.Delivery{}, err
	}
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                &t.name,
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(PK) OR (#s = :sending AND claimed_at_ms < :stale)"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending": &types.AttributeValueMemberS{Value: string(domain.DeliverySending)},
			":stale":   &types.AttributeValueMemberN{Value: fmt.Sprint(staleBefore.UnixMilli())},
		},
	})
	err = conditionError(err)
	switch {
	case err == nil:
		return true, domain.Delivery{}, nil
	case !errors.Is(err, domain.ErrConflict):
		return false, domain.Delivery{}, fmt.Errorf("claim %s notification of event %s: %w", d.Channel, d.EventID, err)
	}
	var it deliveryItem
	if err := t.get(ctx, deliveryKey(d.OrderID, d.EventID, d.Channel), &it); err != nil {
		return false, domain.Delivery{}, fmt.Errorf("read claimed %s notification of event %s: %w", d.Channel, d.EventID, err)
	}
	if it.ClaimToken == claim.ClaimToken {
		return true, domain.Delivery{}, nil
	}
	return false, it.domain(), nil
}

// FinishDelivery records how a claimed delivery ended (SENT, SKIPPED, FAILED).
func (t *Table) FinishDelivery(ctx context.Context, d domain.Delivery) error {
	av, err := attributevalue.MarshalMap(toDeliveryItem(d))
	if err != nil {
		return err
	}
	if _, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.name, Item: av}); err != nil {
		return fmt.Errorf("record %s notification of event %s as %s: %w", d.Channel, d.EventID, d.Status, err)
	}
	return nil
}

// ListDeliveries returns every notification of an order on every channel.
func (t *Table) ListDeliveries(ctx context.Context, orderID string) ([]domain.Delivery, error) {
	var items []deliveryItem
	err := t.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: orderPrefix + orderID},
			":sk": &types.AttributeValueMemberS{Value: deliveryPrefix},
		},
		ConsistentRead: aws.Bool(true),
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("list notification deliveries of order %s: %w", orderID, err)
	}
	out := make([]domain.Delivery, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out, nil
}

// preferencesItem is a customer's stored notification preferences:
// CUSTOMER#<sub> / PREFERENCES.
type preferencesItem struct {
	keys
	Type       string                      `dynamodbav:"type"`
	CustomerID string                      `dynamodbav:"customer_id"`
	Email      string                      `dynamodbav:"email,omitempty"`
	Phone      string                      `dynamodbav:"phone,omitempty"`
	Locale     string                      `dynamodbav:"locale"`
	Channels   domain.NotificationChannels `dynamodbav:"channels"`
	UpdatedAt  time.Time                   `dynamodbav:"updated_at"`
}

func preferencesKey(customerID string) keys {
	return keys{PK: customerPrefix + customerID, SK: preferencesSK}
}

// GetPreferences returns a customer's stored preferences; found is false when
// they never stored any (the caller applies domain.DefaultPreferences).
func (t *Table) GetPreferences(ctx context.Context, customerID string) (p domain.Preferences, found bool, err error) {
	var it preferencesItem
	err = t.get(ctx, preferencesKey(customerID), &it)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.Preferences{}, false, nil
	case err != nil:
		return domain.Preferences{}, false, fmt.Errorf("preferences of %s: %w", customerID, err)
	}
	return domain.Preferences{Email: it.Email, Phone: it.Phone, Locale: it.Locale, Channels: it.Channels, UpdatedAt: it.UpdatedAt}, true, nil
}

// PutPreferences stores a customer's preferences, replacing what was there.
func (t *Table) PutPreferences(ctx context.Context, customerID string, p domain.Preferences) error {
	av, err := attributevalue.MarshalMap(preferencesItem{keys: preferencesKey(customerID), Type: typePrefs, CustomerID: customerID,
		Email: p.Email, Phone: p.Phone, Locale: p.Locale, Channels: p.Channels, UpdatedAt: p.UpdatedAt})
	if err != nil {
		return err
	}
	if _, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.name, Item: av}); err != nil {
		return fmt.Errorf("store preferences of %s: %w", customerID, err)
	}
	return nil
}
