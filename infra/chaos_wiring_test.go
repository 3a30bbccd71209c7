package infra

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
)

// callsChaosFromEnv reports whether the Go file calls chaos.FromEnv of shared/platform/chaos.
func callsChaosFromEnv(t *testing.T, path string) bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos" {
			name = "chaos"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "FromEnv" {
				if id, ok := sel.X.(*ast.Ident); ok && name != "" && id.Name == name {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// TestChaosDecoratorIsInstalledWhereTheChaosStackAsksForIt: the fault injection lives in a decorator
// (shared/platform/chaos) that a consumer's wiring installs from CHAOS_CRASH_PERCENT, which only the chaos stack
// sets. Every function the chaos template gives CHAOS_CRASH_PERCENT must install it (else make reliability injects
// no crash into it), and no other function may.
func TestChaosDecoratorIsInstalledWhereTheChaosStackAsksForIt(t *testing.T) {
	s := synthWith(t, StageLocal, awslambda.Architecture_X86_64(), true)
	withEnv := 0
	for _, fn := range s.ofType("AWS::Lambda::Function") {
		if vars, ok := props(fn)["Environment"].(obj)["Variables"].(obj); ok {
			if _, ok := vars["CHAOS_CRASH_PERCENT"]; ok {
				withEnv++
			}
		}
	}
	checked := 0
	for folder, id := range functionIDs {
		fn := s.resources()[s.id(t, "AWS::Lambda::Function", id)]
		vars, _ := props(fn)["Environment"].(obj)["Variables"].(obj)
		_, chaosEnv := vars["CHAOS_CRASH_PERCENT"]
		installs := callsChaosFromEnv(t, filepath.Join("..", "functions", folder, "main.go"))
		if chaosEnv != installs {
			t.Errorf("%s: CHAOS_CRASH_PERCENT in the chaos template %v, main.go calls chaos.FromEnv %v", folder, chaosEnv, installs)
		}
		if chaosEnv {
			checked++
		}
	}
	if checked != withEnv || checked == 0 {
		t.Errorf("checked the wiring of %d functions with CHAOS_CRASH_PERCENT, the template has %d", checked, withEnv)
	}
}
