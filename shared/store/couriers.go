package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// GetCourier reads a courier; domain.ErrNotFound if unknown.
func (t *Table) GetCourier(ctx context.Context, id string) (domain.Courier, error) {
	var it courierItem
	if err := t.get(ctx, courierKey(id), &it); err != nil {
		return domain.Courier{}, fmt.Errorf("get courier %s: %w", id, err)
	}
	return it.domain(), nil
}

// CreateCourier registers a courier unless it exists; created is false when
// it did, so re-seeding never resets a courier who is out on a delivery. A free
// courier that exists is indexed again under the current availability keys, so
// a table seeded before a change of the key layout finds its couriers again.
func (t *Table) CreateCourier(ctx context.Context, c domain.Courier) (created bool, err error) {
	err = t.putNew(ctx, toCourierItem(c))
	switch {
	case err == nil:
		return true, nil
	case !isConflict(err):
		return false, fmt.Errorf("create courier %s: %w", c.ID, err)
	}
	cur, err := t.GetCourier(ctx, c.ID)
	if err != nil || cur.Status != domain.CourierAvailable {
		return false, err
	}
	hash := domain.Geohash(cur.Location, domain.PointPrecision)
	pk, sk := availabilityKeys(hash, cur.ID)
	_, err = t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &t.name,
		Key:                      mustKey(courierKey(cur.ID)),
		UpdateExpression:         aws.String("SET GSI2PK = :pk, GSI2SK = :sk"),
		ConditionExpression:      aws.String("#s = :available AND lat = :lat AND lng = :lng"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":        &types.AttributeValueMemberS{Value: pk},
			":sk":        &types.AttributeValueMemberS{Value: sk},
			":available": &types.AttributeValueMemberS{Value: string(domain.CourierAvailable)},
			":lat":       &types.AttributeValueMemberN{Value: fmt.Sprint(cur.Location.Lat)},
			":lng":       &types.AttributeValueMemberN{Value: fmt.Sprint(cur.Location.Lng)},
		},
	})
	if err = conditionError(err); err != nil && !isConflict(err) { // assigned or moved meanwhile: it is indexed
		return false, fmt.Errorf("index courier %s: %w", c.ID, err)
	}
	return false, nil
}

// AvailableCouriers returns the free couriers indexed in the ring's cells.
// GSI2 holds a free courier under its region (the geohash cell of
// domain.RegionCellPrecision) sorted by its full geohash, so the ring's cells
// that share a region lie between the smallest and the largest of them in that
// partition: one Query per region the ring touches (one, unless the pickup is
// near a region's edge), whatever the number of cells. The range also holds
// cells between them in geohash order that are not in the ring; those couriers
// are read (and paid for) but dropped here.
func (t *Table) AvailableCouriers(ctx context.Context, ring domain.SearchRing) ([]domain.Courier, error) {
	var out []domain.Courier
	for _, r := range domain.RegionRanges(ring) {
		var items []courierItem
		err := t.query(ctx, &dynamodb.QueryInput{
			IndexName:              aws.String(gsi2),
			KeyConditionExpression: aws.String("GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: availablePrefix + r.Region},
				":lo": &types.AttributeValueMemberS{Value: r.From},
				// Every geohash character and '#' sort before '~': the largest cell's couriers are all in.
				":hi": &types.AttributeValueMemberS{Value: r.To + "~"},
			},
		}, &items)
		if err != nil {
			return nil, fmt.Errorf("available couriers in %s from %s to %s: %w", r.Region, r.From, r.To, err)
		}
		for _, it := range items {
			if ring.Contains(it.GSI2SK) {
				out = append(out, it.domain())
			}
		}
	}
	return out, nil
}

// AssignCourier claims the courier for the (already transitioned) order in one
// transaction: the courier must still be available and the order unchanged
// since it was read. domain.ErrCourierTaken if another order got the courier first.
func (t *Table) AssignCourier(ctx context.Context, o domain.Order, courierID string, now time.Time) error {
	orderW, err := t.orderWrite(ctx, o)
	if err != nil {
		return err
	}
	courierW := types.TransactWriteItem{Update: &types.Update{
		TableName: &t.name,
		Key:       mustKey(courierKey(courierID)),
		// Removing the GSI2 keys takes the courier out of the availability index.
		UpdateExpression:         aws.String("SET #s = :assigned, order_id = :order, updated_at = :now REMOVE GSI2PK, GSI2SK"),
		ConditionExpression:      aws.String("#s = :available"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":assigned":  &types.AttributeValueMemberS{Value: string(domain.CourierAssigned)},
			":available": &types.AttributeValueMemberS{Value: string(domain.CourierAvailable)},
			":order":     &types.AttributeValueMemberS{Value: o.ID},
			":now":       &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
		},
	}}
	failed, err := t.transact(ctx, []types.TransactWriteItem{orderW, courierW})
	if failed == 1 {
		return domain.ErrCourierTaken
	}
	if err != nil {
		return fmt.Errorf("assign courier %s to order %s: %w", courierID, o.ID, err)
	}
	return nil
}

// ReleaseCourier stores an order that no longer needs its courier (delivered
// or cancelled) and frees the courier, back in
// the availability index at the last known position, in one transaction.
func (t *Table) ReleaseCourier(ctx context.Context, o domain.Order, now time.Time) error {
	courier, err := t.GetCourier(ctx, o.CourierID)
	if err != nil {
		return err
	}
	orderW, err := t.orderWrite(ctx, o)
	if err != nil {
		return err
	}
	hash := domain.Geohash(courier.Location, domain.PointPrecision)
	pk, sk := availabilityKeys(hash, courier.ID)
	courierW := types.TransactWriteItem{Update: &types.Update{
		TableName:                &t.name,
		Key:                      mustKey(courierKey(courier.ID)),
		UpdateExpression:         aws.String("SET #s = :available, GSI2PK = :pk, GSI2SK = :sk, updated_at = :now REMOVE order_id"),
		ConditionExpression:      aws.String("#s = :assigned AND order_id = :order"),
		ExpressionAttributeNames: map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":assigned":  &types.AttributeValueMemberS{Value: string(domain.CourierAssigned)},
			":available": &types.AttributeValueMemberS{Value: string(domain.CourierAvailable)},
			":order":     &types.AttributeValueMemberS{Value: o.ID},
			":pk":        &types.AttributeValueMemberS{Value: pk},
			":sk":        &types.AttributeValueMemberS{Value: sk},
			":now":       &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
		},
	}}
	if _, err := t.transact(ctx, []types.TransactWriteItem{orderW, courierW}); err != nil {
		return fmt.Errorf("complete delivery of order %s: %w", o.ID, err)
	}
	return nil
}

// MoveCourier records a courier's newest fix. A free courier's index keys
// move with it. The write is conditional on the status the courier was read
// with, so a concurrent assignment is never undone, and on the stored fix being
// older, so two batches racing never move the courier back; either failure is
// domain.ErrConflict and the caller re-reads.
func (t *Table) MoveCourier(ctx context.Context, c domain.Courier, to domain.Fix, now time.Time) error {
	hash := domain.Geohash(to.Location, domain.PointPrecision)
	values := map[string]types.AttributeValue{
		":lat":    &types.AttributeValueMemberN{Value: fmt.Sprint(to.Location.Lat)},
		":lng":    &types.AttributeValueMemberN{Value: fmt.Sprint(to.Location.Lng)},
		":hash":   &types.AttributeValueMemberS{Value: hash},
		":at":     &types.AttributeValueMemberN{Value: fmt.Sprint(to.RecordedAt.UnixMilli())},
		":now":    &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
		":status": &types.AttributeValueMemberS{Value: string(c.Status)},
	}
	update := "SET lat = :lat, lng = :lng, geohash = :hash, located_at_ms = :at, updated_at = :now"
	if c.Status == domain.CourierAvailable {
		pk, sk := availabilityKeys(hash, c.ID)
		update += ", GSI2PK = :pk, GSI2SK = :sk"
		values[":pk"] = &types.AttributeValueMemberS{Value: pk}
		values[":sk"] = &types.AttributeValueMemberS{Value: sk}
	}
	_, err := t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &t.name,
		Key:                       mustKey(courierKey(c.ID)),
		UpdateExpression:          &update,
		ConditionExpression:       aws.String("#s = :status AND (attribute_not_exists(located_at_ms) OR located_at_ms < :at)"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: values,
	})
	if err = conditionError(err); err != nil {
		return fmt.Errorf("move courier %s: %w", c.ID, err)
	}
	return nil
}

func mustKey(k keys) map[string]types.AttributeValue {
	av, err := attributevalue.MarshalMap(k)
	if err != nil {
		panic(errors.New("two strings always marshal: " + err.Error()))
	}
	return av
}
