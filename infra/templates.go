package infra

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// SynthesizeTemplate returns the CloudFormation template of the FoodDelivery stack in a stage, synthesized in
// process with the context of root/cdk.json, as `cdk synth -c stage=<stage>` would produce it, except that the
// functions' code is a dummy bootstrap per function (only the wiring matters to its readers: the diagram,
// cfn-lint, the list of what `make destroy` retains), so nothing has to be built first. The aws stage is arm64,
// the local stage x86_64 (the architecture changes no resource but the functions' own property).
func SynthesizeTemplate(root, stage string) ([]byte, error) {
	if !ValidStage(stage) {
		return nil, fmt.Errorf("stage %q: want %q or %q", stage, StageLocal, StageAWS)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	b, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	dir, err := os.MkdirTemp("", "synth-"+stage+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	assets := filepath.Join(dir, "lambda")
	for _, f := range FunctionFolders {
		p := filepath.Join(assets, f, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n# "+f+"\n"), 0o755); err != nil {
			return nil, err
		}
	}
	arch := awslambda.Architecture_ARM_64()
	if stage == StageLocal {
		arch = awslambda.Architecture_X86_64()
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &cdkJSON.Context, Outdir: jsii.String(filepath.Join(dir, "cdk.out"))})
	stack := NewFoodDeliveryStack(app, "FoodDelivery", &StackProps{Stage: stage, LambdaAssetRoot: assets, Architecture: arch})
	assembly := app.Synth(nil)
	tpl, err := os.ReadFile(filepath.Join(*assembly.Directory(), *stack.TemplateFile()))
	if err != nil {
		return nil, fmt.Errorf("read the synthesized %s template: %w", stage, err)
	}
	return tpl, nil
}
