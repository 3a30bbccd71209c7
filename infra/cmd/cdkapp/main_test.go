package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/infra"
)

// TestCDKJSONGivesTheDefaultStage: a bare `cdk deploy` from the repository root synthesizes the aws stage because
// cdk.json says so, not because of a default hidden in the app.
func TestCDKJSONGivesTheDefaultStage(t *testing.T) {
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	b, err := os.ReadFile("../../../cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		t.Fatal(err)
	}
	got, err := stageOf(cdkJSON.Context["stage"])
	if err != nil || got != infra.StageAWS {
		t.Fatalf("cdk.json's stage: %q, %v; want %q", got, err, infra.StageAWS)
	}
}

func TestStageOf(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{{"local", "local"}, {"aws", "aws"}, {nil, ""}, {"prod", ""}, {true, ""}} {
		got, err := stageOf(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("stageOf(%v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
