// Command cdkapp is the CDK app (cdk.json runs it from the repository root).
//
// The stage comes from the CDK context key "stage"; cdk.json sets its default, aws, so a bare `cdk deploy` ships
// what a real account should get, and the emulator's deploys (scripts/deploy.sh) pass -c stage=local.
//
//	cdk synth -c stage=local   # emulator: host architecture, throw-away resources
//	cdk synth -c stage=local -c floor=true   # plus FoodDeliveryFloor, the benchmark's no-op floor
//	cdk deploy                 # stage aws (cdk.json's default): arm64, retained data, tracing, alarms (make deploy)
//	cdk deploy -c senderEmail=orders@example.com   # the address notification emails come from
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/infra"
)

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cdkapp:", err)
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)

	stage, err := stageOf(app.Node().TryGetContext(jsii.String("stage")))
	if err != nil {
		return err
	}

	// Locally the emulator runs the bootstraps on this machine; in AWS they run on Graviton.
	goarch := "arm64"
	if stage == infra.StageLocal {
		goarch = runtime.GOARCH
	}
	arch, err := infra.ArchitectureForGOARCH(goarch)
	if err != nil {
		return err
	}

	// cdk runs the app from the repository root, where scripts/build-functions.sh writes the binaries.
	assetRoot := filepath.Join(".build", "lambda", goarch)
	for _, folder := range infra.FunctionFolders {
		p := filepath.Join(assetRoot, folder, "bootstrap")
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("missing %s: build the functions first (scripts/build-functions.sh %s)", p, goarch)
		}
	}

	var env *awscdk.Environment
	if stage == infra.StageAWS {
		env = &awscdk.Environment{
			Account: envOrNil("CDK_DEFAULT_ACCOUNT"),
			Region:  envOrNil("CDK_DEFAULT_REGION"),
		}
	}

	// chaos=true: the fault injection of `make reliability` (local stage only; see infra.StackProps.Chaos).
	chaos := false
	if v := app.Node().TryGetContext(jsii.String("chaos")); v != nil {
		switch fmt.Sprint(v) {
		case "true":
			chaos = true
		case "false":
		default:
			return fmt.Errorf("context chaos=%v: want true or false", v)
		}
		if chaos && stage != infra.StageLocal {
			return fmt.Errorf("context chaos=true is for the local stage only")
		}
	}

	// senderEmail: the address notification emails come from (aws without it: the SenderEmail parameter).
	sender := ""
	if v := app.Node().TryGetContext(jsii.String("senderEmail")); v != nil {
		sender = fmt.Sprint(v)
	}

	infra.NewFoodDeliveryStack(app, "FoodDelivery", &infra.StackProps{
		StackProps:      awscdk.StackProps{Env: env},
		Stage:           stage,
		LambdaAssetRoot: assetRoot,
		Architecture:    arch,
		Chaos:           chaos,
		SenderEmail:     sender,
	})
	// The no-op floor of `make bench` (bench/e2e, infra/floor.go): local stage only, and only when asked for.
	if v := app.Node().TryGetContext(jsii.String("floor")); fmt.Sprint(v) == "true" {
		if stage != infra.StageLocal {
			return fmt.Errorf("context floor=true needs stage=%s: the floor is a benchmark instrument", infra.StageLocal)
		}
		floorDir := filepath.Join(".build", "bench", goarch, "floor") // scripts/bench.sh builds bench/floor there
		if _, err := os.Stat(filepath.Join(floorDir, "bootstrap")); err != nil {
			return fmt.Errorf("missing %s/bootstrap: scripts/bench.sh builds it", floorDir)
		}
		infra.NewFloorStack(app, infra.FloorStackName, &infra.FloorProps{AssetDir: floorDir, Architecture: arch})
	}
	app.Synth(nil)
	return nil
}

// stageOf checks the context value "stage". There is no default here: cdk.json holds it (aws), so a run without
// cdk.json (another directory, a copied app) fails instead of silently picking a stage.
func stageOf(v any) (string, error) {
	if v == nil {
		return "", fmt.Errorf("no stage: cdk.json's context sets the default (\"stage\": %q); pass -c stage=%s or -c stage=%s", infra.StageAWS, infra.StageLocal, infra.StageAWS)
	}
	s, ok := v.(string)
	if !ok || !infra.ValidStage(s) {
		return "", fmt.Errorf("context stage=%v: want %q or %q", v, infra.StageLocal, infra.StageAWS)
	}
	return s, nil
}

func envOrNil(name string) *string {
	if v := os.Getenv(name); v != "" {
		return jsii.String(v)
	}
	return nil
}
