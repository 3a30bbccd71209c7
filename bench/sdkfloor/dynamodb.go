//go:build sdkfloor_dynamodb

package main

import "github.com/aws/aws-sdk-go-v2/service/dynamodb"

func init() { register(dynamodb.NewFromConfig, (*dynamodb.Client).ListTables) }
