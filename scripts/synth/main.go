// Command synth writes the CloudFormation templates of the FoodDelivery stack, synthesized in process with dummy
// function binaries (infra.SynthesizeTemplate), so nothing has to be built first. `make cfn-lint` lints them.
//
//	go run ./scripts/synth -out .build/cfn            # .build/cfn/local.template.json and aws.template.json
//	go run ./scripts/synth -out .build/cfn -stage aws # the aws stage only
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/infra"
)

func main() {
	out := flag.String("out", filepath.Join(".build", "cfn"), "directory to write <stage>.template.json into")
	stage := flag.String("stage", "", "synthesize only this stage (local or aws); empty: both")
	root := flag.String("root", ".", "the repository root (where cdk.json is)")
	flag.Parse()
	err := run(*root, *out, *stage)
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(root, out, only string) error {
	stages := []string{infra.StageLocal, infra.StageAWS}
	if only != "" {
		stages = []string{only}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, stage := range stages {
		tpl, err := infra.SynthesizeTemplate(root, stage)
		if err != nil {
			return err
		}
		path := filepath.Join(out, stage+".template.json")
		if err := os.WriteFile(path, tpl, 0o644); err != nil {
			return err
		}
		fmt.Println(path)
	}
	return nil
}
