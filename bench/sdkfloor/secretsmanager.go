//go:build sdkfloor_secretsmanager

package main

import "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

func init() { register(secretsmanager.NewFromConfig, (*secretsmanager.Client).GetSecretValue) }
