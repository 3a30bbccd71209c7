//go:build sdkfloor_s3

package main

import "github.com/aws/aws-sdk-go-v2/service/s3"

func init() { register(s3.NewFromConfig, (*s3.Client).PutObject) }
