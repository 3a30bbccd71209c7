package store

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/streamimage"
)

// OrderFromImage decodes a stream image. ok is false when the image is not an
// order item (the stream carries every item of the single table). The decoder
// is streamimage's, which the stream publisher and the push function use
// without this package (and so without the SDK's DynamoDB client).
func OrderFromImage(image map[string]events.DynamoDBAttributeValue) (o domain.Order, ok bool, err error) {
	return streamimage.Order(image)
}

// StreamImage is the inverse of the stream decoding of streamimage: the image Lambda
// receives from the stream for an item as the SDK writes it. Tests, fuzz
// targets and benchmarks use it to feed the stream publisher real items.
func StreamImage(item map[string]types.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	out := make(map[string]events.DynamoDBAttributeValue, len(item))
	for k, v := range item {
		sv, err := streamValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = sv
	}
	return out, nil
}

func streamValue(v types.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *types.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *types.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *types.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *types.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			sv, err := streamValue(e)
			if err != nil {
				return events.DynamoDBAttributeValue{}, err
			}
			list[i] = sv
		}
		return events.NewListAttribute(list), nil
	case *types.AttributeValueMemberM:
		m, err := StreamImage(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewMapAttribute(m), nil
	}
	return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute type %T", v)
}
