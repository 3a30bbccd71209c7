package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// ListRestaurants returns every restaurant, sorted by name.
func (t *Table) ListRestaurants(ctx context.Context) ([]domain.Restaurant, error) {
	var items []restaurantItem
	err := t.query(ctx, &dynamodb.QueryInput{
		IndexName:              aws.String(gsi1),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: restaurantsGSI1PK},
		},
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("list restaurants: %w", err)
	}
	out := make([]domain.Restaurant, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out, nil
}

// GetMenu reads a restaurant and all its dishes with one query: they share a
// partition, the profile under SK PROFILE and the dishes under ITEM#.
func (t *Table) GetMenu(ctx context.Context, restaurantID string) (domain.Menu, error) {
	res, err := t.queryPartition(ctx, restaurantPrefix+restaurantID)
	if err != nil {
		return domain.Menu{}, fmt.Errorf("get menu %s: %w", restaurantID, err)
	}
	menu := domain.Menu{Currency: domain.Currency, Items: []domain.MenuItem{}}
	found := false
	for _, av := range res {
		switch sk := stringAttr(av, "SK"); {
		case sk == profileSK:
			var it restaurantItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return domain.Menu{}, err
			}
			menu.Restaurant, found = it.domain(), true
		case strings.HasPrefix(sk, itemPrefix):
			var it menuItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return domain.Menu{}, err
			}
			menu.Items = append(menu.Items, it.domain())
		}
	}
	if !found {
		return domain.Menu{}, domain.ErrNotFound
	}
	return menu, nil
}

func (t *Table) queryPartition(ctx context.Context, pk string) ([]map[string]types.AttributeValue, error) {
	var all []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(t.db, &dynamodb.QueryInput{
		TableName:              &t.name,
		KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
	}
	return all, nil
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if s, ok := item[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// PutMenu writes (or overwrites) a restaurant and its dishes. Used by seeding.
func (t *Table) PutMenu(ctx context.Context, menu domain.Menu) error {
	items := []any{toRestaurantItem(menu.Restaurant)}
	for _, m := range menu.Items {
		items = append(items, toMenuItem(menu.Restaurant.ID, m))
	}
	return t.batchPut(ctx, items)
}

// batchPut writes items 25 at a time, retrying what DynamoDB leaves unprocessed.
func (t *Table) batchPut(ctx context.Context, items []any) error {
	for start := 0; start < len(items); start += 25 {
		end := min(start+25, len(items))
		var reqs []types.WriteRequest
		for _, it := range items[start:end] {
			av, err := attributevalue.MarshalMap(it)
			if err != nil {
				return err
			}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
		}
		pending := map[string][]types.WriteRequest{t.name: reqs}
		for attempt := 0; len(pending[t.name]) > 0; attempt++ {
			if attempt == 5 {
				return fmt.Errorf("batch write: %d items still unprocessed", len(pending[t.name]))
			}
			res, err := t.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("batch write: %w", err)
			}
			pending = res.UnprocessedItems
		}
	}
	return nil
}
