//go:build sdkfloor_sesv2

package main

import "github.com/aws/aws-sdk-go-v2/service/sesv2"

func init() { register(sesv2.NewFromConfig, (*sesv2.Client).SendEmail) }
