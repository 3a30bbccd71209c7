//go:build sdkfloor_sns

package main

import "github.com/aws/aws-sdk-go-v2/service/sns"

func init() { register(sns.NewFromConfig, (*sns.Client).Publish) }
