// Package retention says what a deletion of the aws stage's stack leaves behind and why. It reads a synthesized
// (or deployed) CloudFormation template: a resource whose DeletionPolicy is Retain stays in the account when the
// stack is deleted. `make destroy` prints this list before it asks (scripts/awsstage); the infra tests fail on a
// retained resource whose type has no reason here, so the list cannot silently grow.
//
// It has no CDK import on purpose: the destroy tooling reads a template file and needs no jsii runtime.
package retention

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Reasons says, per CloudFormation type, why the aws stage retains its resources of that type (infra/stack.go
// sets RemovalPolicy RETAIN on the aws stage for data and logs; the local stage retains nothing).
var Reasons = map[string]string{
	"AWS::DynamoDB::Table": "orders, the payments ledger, customers' and couriers' records (and the simulated " +
		"provider's books): real data outlives the stack",
	"AWS::S3::Bucket": "payment receipts and the receipts bucket's access log: records a business must keep; " +
		"a bucket that still holds objects could not be deleted by CloudFormation anyway",
	"AWS::Cognito::UserPool": "the customers', couriers' and ops accounts: deleting the pool would sign everyone " +
		"out for good and lose their passwords and MFA devices",
	"AWS::Logs::LogGroup": "the functions' and the API's logs (one month retention, then CloudWatch Logs deletes " +
		"them): what happened before the deletion stays readable",
}

// Resource is one retained resource of a template.
type Resource struct {
	LogicalID string
	Type      string
	Reason    string // empty when Reasons has none for Type
}

// Retained lists the resources of template whose DeletionPolicy keeps them (Retain, RetainExceptOnCreate),
// sorted by type, then logical id.
func Retained(template []byte) ([]Resource, error) {
	var tpl struct {
		Resources map[string]struct {
			Type           string `json:"Type"`
			DeletionPolicy string `json:"DeletionPolicy"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(template, &tpl); err != nil {
		return nil, fmt.Errorf("read the template: %w", err)
	}
	if tpl.Resources == nil {
		return nil, fmt.Errorf("read the template: no Resources")
	}
	var out []Resource
	for id, r := range tpl.Resources {
		if r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" {
			out = append(out, Resource{LogicalID: id, Type: r.Type, Reason: Reasons[r.Type]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].LogicalID < out[j].LogicalID
	})
	return out, nil
}
