// Command items prints what one order left in the stack's storage, as stored, for docs/walkthrough.md: every item
// of the order's partition in the table (the order, its payment ledger, its notifications, its courier position),
// the courier carrying it, the simulated payment provider's books for it, and its receipt in S3. The story in time
// order (versions, events, log lines) is `make timeline ORDER=<id>` (scripts/timeline).
//
//	scripts/items.sh ORDER_ID [PORT]        # = go run ./scripts/items -outputs .run/PORT/outputs.json ORDER_ID
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: items [-outputs FILE] ORDER_ID")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, *outputsPath, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "items:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, outputsPath, orderID string) error {
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	ddb := dynamodb.NewFromConfig(cfg)

	items, err := partition(ctx, ddb, out.TableName, "ORDER#"+orderID)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no items under ORDER#%s in %s", orderID, out.TableName)
	}
	fmt.Fprintf(w, "== table %s, partition ORDER#%s (%d items)\n", out.TableName, orderID, len(items))
	courierID := ""
	for _, it := range items {
		if err := printJSON(w, it); err != nil {
			return err
		}
		if it["SK"] == "ORDER" {
			courierID, _ = it["courier_id"].(string)
		}
	}
	if courierID != "" {
		courier, err := partition(ctx, ddb, out.TableName, "COURIER#"+courierID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "== the courier, partition COURIER#%s\n", courierID)
		for _, it := range courier {
			if err := printJSON(w, it); err != nil {
				return err
			}
		}
	}

	books, err := partition(ctx, ddb, out.ProviderTableName, "KEY#"+orderID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== the simulated payment provider's books, table %s, partition KEY#%s (%d items)\n", out.ProviderTableName, orderID, len(books))
	for _, it := range books {
		if err := printJSON(w, it); err != nil {
			return err
		}
	}

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	key := payments.ReceiptKey(orderID)
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &out.ReceiptsBucketName, Key: &key})
	if err == nil {
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		fmt.Fprintf(w, "== s3://%s/%s\n%s\n", out.ReceiptsBucketName, key, strings.TrimSpace(string(body)))
	} else {
		fmt.Fprintf(w, "== s3://%s/%s: none (%v)\n", out.ReceiptsBucketName, key, err)
	}

	return nil
}

// partition returns every item of one partition, as plain JSON values, in sort-key order.
func partition(ctx context.Context, ddb *dynamodb.Client, table, pk string) ([]map[string]any, error) {
	var out []map[string]any
	p := dynamodb.NewQueryPaginator(ddb, &dynamodb.QueryInput{
		TableName:                 &table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		for _, item := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("print an item as JSON: %w", err)
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
