// Command emulator-fixups applies, after a local deploy, the settings that the
// emulator's CloudFormation drops, reading them from the synthesized template
// (never from a second hand-written copy). It changes only what is missing, so
// on an emulator that keeps them (or on AWS) it does nothing.
//
// Gaps seen on MiniStack 1.5.33, each pinned by a test in tests/:
//
//   - AWS::ApiGatewayV2::Api CorsConfiguration is not applied, so browser
//     preflights get 403 (tests/emulator_test.go TestCORSPreflight).
//
//   - AWS::DynamoDB::Table TimeToLiveSpecification is not applied
//     (TestTableTTLEnabled).
//
//     go run ./scripts/emulator-fixups -template .run/4566/cdk.out/FoodDelivery.template.json -outputs .run/4566/outputs.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apitypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

type template struct {
	Resources map[string]struct {
		Type       string          `json:"Type"`
		Properties json.RawMessage `json:"Properties"`
	} `json:"Resources"`
}

type corsConfig struct {
	AllowCredentials *bool    `json:"AllowCredentials"`
	AllowHeaders     []string `json:"AllowHeaders"`
	AllowMethods     []string `json:"AllowMethods"`
	AllowOrigins     []string `json:"AllowOrigins"`
	ExposeHeaders    []string `json:"ExposeHeaders"`
	MaxAge           *int32   `json:"MaxAge"`
}

func main() {
	templatePath := flag.String("template", "", "synthesized CloudFormation template")
	outputsPath := flag.String("outputs", "", "stack outputs file written by cdk deploy")
	flag.Parse()
	if err := run(*templatePath, *outputsPath); err != nil {
		fmt.Fprintln(os.Stderr, "emulator-fixups:", err)
		os.Exit(1)
	}
}

func run(templatePath, outputsPath string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw, err := os.ReadFile(templatePath)
	if err != nil {
		return err
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		return fmt.Errorf("decode %s: %w", templatePath, err)
	}
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	var cors *corsConfig
	var ttlAttribute string
	for _, res := range tpl.Resources {
		switch res.Type {
		case "AWS::ApiGatewayV2::Api":
			var p struct {
				ProtocolType      string      `json:"ProtocolType"`
				CorsConfiguration *corsConfig `json:"CorsConfiguration"`
			}
			if err := json.Unmarshal(res.Properties, &p); err != nil {
				return err
			}
			if p.ProtocolType == "HTTP" {
				cors = p.CorsConfiguration
			}
		case "AWS::DynamoDB::Table":
			var p struct {
				TimeToLiveSpecification *struct {
					AttributeName string `json:"AttributeName"`
					Enabled       bool   `json:"Enabled"`
				} `json:"TimeToLiveSpecification"`
			}
			if err := json.Unmarshal(res.Properties, &p); err != nil {
				return err
			}
			if p.TimeToLiveSpecification != nil && p.TimeToLiveSpecification.Enabled {
				ttlAttribute = p.TimeToLiveSpecification.AttributeName
			}
		}
	}
	if cors == nil || ttlAttribute == "" {
		return errors.New("the template has no HTTP API CORS configuration or no table TTL: has the stack changed?")
	}
	if err := ensureCORS(ctx, apigatewayv2.NewFromConfig(cfg), out.ApiID, *cors); err != nil {
		return err
	}
	return ensureTTL(ctx, dynamodb.NewFromConfig(cfg), out.TableName, ttlAttribute)
}

func ensureCORS(ctx context.Context, api *apigatewayv2.Client, apiID string, want corsConfig) error {
	got, err := api.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &apiID})
	if err != nil {
		return fmt.Errorf("get API %s: %w", apiID, err)
	}
	if got.CorsConfiguration != nil && len(got.CorsConfiguration.AllowOrigins) > 0 {
		fmt.Println("CORS configuration present: nothing to do")
		return nil
	}
	_, err = api.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: &apiID, CorsConfiguration: &apitypes.Cors{
		AllowCredentials: want.AllowCredentials, AllowHeaders: want.AllowHeaders, AllowMethods: want.AllowMethods,
		AllowOrigins: want.AllowOrigins, ExposeHeaders: want.ExposeHeaders, MaxAge: want.MaxAge,
	}})
	if err != nil {
		return fmt.Errorf("update CORS of API %s: %w", apiID, err)
	}
	fmt.Println("applied the template's CORS configuration to the HTTP API (emulator dropped it)")
	return nil
}

func ensureTTL(ctx context.Context, db *dynamodb.Client, table, attribute string) error {
	got, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &table})
	if err != nil {
		return fmt.Errorf("describe TTL of %s: %w", table, err)
	}
	if d := got.TimeToLiveDescription; d != nil && d.TimeToLiveStatus == ddbtypes.TimeToLiveStatusEnabled {
		fmt.Println("table TTL enabled: nothing to do")
		return nil
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: &table,
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String(attribute), Enabled: aws.Bool(true)}})
	if err != nil {
		return fmt.Errorf("enable TTL on %s: %w", table, err)
	}
	fmt.Printf("enabled TTL on %s.%s as the template says (emulator dropped it)\n", table, attribute)
	return nil
}
