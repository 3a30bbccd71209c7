//go:build sdkfloor_eventbridge

package main

import "github.com/aws/aws-sdk-go-v2/service/eventbridge"

func init() { register(eventbridge.NewFromConfig, (*eventbridge.Client).PutEvents) }
