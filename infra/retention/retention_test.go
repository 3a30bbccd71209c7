package retention

import (
	"reflect"
	"testing"
)

func TestRetainedReadsTheDeletionPolicy(t *testing.T) {
	tpl := []byte(`{"Resources":{
		"B":{"Type":"AWS::S3::Bucket","DeletionPolicy":"Retain"},
		"Q":{"Type":"AWS::SQS::Queue","DeletionPolicy":"Delete"},
		"F":{"Type":"AWS::Lambda::Function"},
		"T":{"Type":"AWS::DynamoDB::Table","DeletionPolicy":"RetainExceptOnCreate"},
		"X":{"Type":"AWS::Made::Up","DeletionPolicy":"Retain"}}}`)
	got, err := Retained(tpl)
	if err != nil {
		t.Fatal(err)
	}
	want := []Resource{
		{"T", "AWS::DynamoDB::Table", Reasons["AWS::DynamoDB::Table"]},
		{"X", "AWS::Made::Up", ""},
		{"B", "AWS::S3::Bucket", Reasons["AWS::S3::Bucket"]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Retained = %+v\nwant %+v", got, want)
	}
	if _, err := Retained([]byte(`{}`)); err == nil {
		t.Error("a template without Resources is accepted")
	}
}
