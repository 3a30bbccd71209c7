package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const root = "../.."

// TestCommittedDiagramMatchesTheTemplate synthesizes the stack in process and fails when the diagram embedded
// in README.md or docs/architecture.md is not the one the template yields. Run it alone:
// go test ./scripts/diagram -run TestCommittedDiagramMatchesTheTemplate
func TestCommittedDiagramMatchesTheTemplate(t *testing.T) {
	tpl, err := Synthesize(root)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := Mermaid(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Targets {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Embedded(string(raw))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got != Block(chart) {
			t.Errorf("%s: the diagram differs from what the synthesized template yields; run `make diagram` and commit the result.\ncommitted:\n%s\nfrom the template:\n%s", f, got, Block(chart))
		}
	}
}

const tinyTemplate = `{"Resources":{
 "TableCD117FA1":{"Type":"AWS::DynamoDB::Table","Properties":{}},
 "EventBus7B8748AA":{"Type":"AWS::Events::EventBus","Properties":{}},
 "PaymentQueue638550D9":{"Type":"AWS::SQS::Queue","Properties":{"RedrivePolicy":{"deadLetterTargetArn":{"Fn::GetAtt":["PaymentDlqAAAAAAAA","Arn"]}}}},
 "PaymentDlqAAAAAAAA":{"Type":"AWS::SQS::Queue","Properties":{}},
 "PaymentRule88F90A37":{"Type":"AWS::Events::Rule","Properties":{"EventBusName":{"Ref":"EventBus7B8748AA"},
   "EventPattern":{"detail-type":["OrderPlaced"]},"Targets":[{"Arn":{"Fn::GetAtt":["PaymentQueue638550D9","Arn"]}}]}},
 "PaymentFunctionCCA5A1C6":{"Type":"AWS::Lambda::Function","Properties":{"Role":{"Fn::GetAtt":["PaymentRoleBBBBBBBB","Arn"]}}},
 "PaymentPolicyCCCCCCCC":{"Type":"AWS::IAM::Policy","Properties":{"Roles":[{"Ref":"PaymentRoleBBBBBBBB"}],
   "PolicyDocument":{"Statement":[{"Action":["dynamodb:GetItem"],"Resource":{"Fn::GetAtt":["TableCD117FA1","Arn"]}},
                                  {"Action":"sqs:ReceiveMessage","Resource":{"Fn::GetAtt":["PaymentQueue638550D9","Arn"]}}]}}},
 "PaymentMappingDDDDDDDD":{"Type":"AWS::Lambda::EventSourceMapping","Properties":{"BatchSize":1,
   "EventSourceArn":{"Fn::GetAtt":["PaymentQueue638550D9","Arn"]},"FunctionName":{"Ref":"PaymentFunctionCCA5A1C6"}}},
 "HttpApiF5A9A8A7":{"Type":"AWS::ApiGatewayV2::Api","Properties":{"ProtocolType":"HTTP"}},
 "RouteEEEEEEEE":{"Type":"AWS::ApiGatewayV2::Route","Properties":{"ApiId":{"Ref":"HttpApiF5A9A8A7"},"RouteKey":"POST /pay",
   "AuthorizationType":"JWT","Target":{"Fn::Join":["",["integrations/",{"Ref":"IntegFFFFFFFF"}]]}}},
 "IntegFFFFFFFF":{"Type":"AWS::ApiGatewayV2::Integration","Properties":{"IntegrationUri":{"Fn::GetAtt":["PaymentFunctionCCA5A1C6","Arn"]}}}
}}`

func TestMermaidDrawsTheWiringOfTheTemplate(t *testing.T) {
	chart, err := Mermaid([]byte(tinyTemplate))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`routes1["HTTP API HttpApi<br/>POST /pay 🔒"]`,
		"routes1 --> fn_PaymentFunction",
		`fn_PaymentFunction("λ payment")`,
		`rule_PaymentRule>"PaymentRule: OrderPlaced"]`,
		"EventBus --> rule_PaymentRule",
		"rule_PaymentRule --> PaymentQueue",
		`PaymentQueue -- "batch 1" --> fn_PaymentFunction`,
		`PaymentQueue -- "after maxReceiveCount" --> PaymentDlq`,
		`fn_PaymentFunction -- "reads" --> Table`,
	} {
		if !strings.Contains(chart, want) {
			t.Errorf("missing %q in:\n%s", want, chart)
		}
	}
	if strings.Contains(chart, "fn_PaymentFunction -- \"reads\" --> PaymentQueue") {
		t.Errorf("consuming a queue is drawn by its event source mapping, not as data access:\n%s", chart)
	}
}

func TestEmbedReplacesOnlyBetweenTheMarkers(t *testing.T) {
	doc := "intro\n" + BeginMarker + "\nold\n" + EndMarker + "\nrest\n"
	out, err := Embed(doc, "flowchart TD\n  a --> b\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "intro\n" + BeginMarker + "\n```mermaid\nflowchart TD\n  a --> b\n```\n" + EndMarker + "\nrest\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	if _, err := Embed("no markers", "x"); err == nil {
		t.Fatal("a document without markers must be refused")
	}
}
