package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/infra/retention"
)

// TestRetainedResourcesHaveAReason: what a deletion of the aws stack leaves behind is exactly the data and the
// logs (tables, buckets, the user pool, log groups), each type with the reason `make destroy` prints; the local
// stage, thrown away after every run, retains nothing.
func TestRetainedResourcesHaveAReason(t *testing.T) {
	retained := func(s *synthesized) []retention.Resource {
		b, err := json.Marshal(s.raw)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := retention.Retained(b)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := retained(local(t)); len(rs) != 0 {
		t.Errorf("the local stage retains %+v", rs)
	}
	s := awsStage(t)
	byType := map[string][]string{}
	for _, r := range retained(s) {
		if r.Reason == "" {
			t.Errorf("%s (%s) is retained on deletion with no reason in retention.Reasons", r.LogicalID, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], r.LogicalID)
	}
	for typ, want := range map[string]int{
		"AWS::DynamoDB::Table":   len(s.ofType("AWS::DynamoDB::Table")),
		"AWS::S3::Bucket":        len(s.ofType("AWS::S3::Bucket")),
		"AWS::Cognito::UserPool": 1,
		"AWS::Logs::LogGroup":    len(s.ofType("AWS::Logs::LogGroup")),
	} {
		if len(byType[typ]) != want || want == 0 {
			t.Errorf("%s retained: %v, want all %d of the template", typ, byType[typ], want)
		}
	}
	// No retained resource has a fixed name: a deploy after a destroy must not collide with what stayed.
	for _, r := range retained(s) {
		p := props(s.resources()[r.LogicalID])
		for _, name := range []string{"TableName", "BucketName", "UserPoolName", "LogGroupName"} {
			if p[name] != nil {
				t.Errorf("retained %s has a fixed %s %v", r.LogicalID, name, p[name])
			}
		}
	}
	for _, id := range []string{s.id(t, "AWS::DynamoDB::Table", "Table"), s.id(t, "AWS::S3::Bucket", "ReceiptsBucket")} {
		if r := s.resources()[id]; r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: UpdateReplacePolicy %v, want Retain (a replacement must not drop the data either)", id, r["UpdateReplacePolicy"])
		}
	}
}

// TestDeployDocStatesTheIdleCost: docs/deploy.md's idle cost names the aws template's alarm count and their monthly
// price from the price file bench/cost uses, so adding a function (two alarms) or a queue shows up there.
func TestDeployDocStatesTheIdleCost(t *testing.T) {
	var prices struct {
		Date   string             `json:"date"`
		Prices map[string]float64 `json:"prices"`
	}
	b, err := os.ReadFile("../bench/prices-us-east-1.json")
	if err == nil {
		err = json.Unmarshal(b, &prices)
	}
	if err != nil {
		t.Fatal(err)
	}
	price, ok := prices.Prices["cloudwatch_alarm_month"]
	if !ok {
		t.Fatal("bench/prices-us-east-1.json has no cloudwatch_alarm_month")
	}
	alarms := len(awsStage(t).ofType("AWS::CloudWatch::Alarm"))
	secrets := len(awsStage(t).ofType("AWS::SecretsManager::Secret"))
	doc, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(doc)), " ")
	for _, want := range []string{
		fmt.Sprintf("%d CloudWatch alarms at $%.2f each, $%.2f", alarms, price, float64(alarms)*price),
		"prices of " + prices.Date,
		fmt.Sprintf("%d Secrets Manager secret at $%.2f a month", secrets, prices.Prices["secretsmanager_secret_month"]),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/deploy.md does not say %q", want)
		}
	}
}
