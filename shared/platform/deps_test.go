package platform_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPlatformDoesNotDependOnTheDomain keeps the plumbing below the domain: no package under shared/platform
// imports shared/domain (or the events, stores and use cases built on it), directly or through another package.
// Code that needs the domain belongs with it; code the domain's errors must reach goes through shared/apperr.
func TestPlatformDoesNotDependOnTheDomain(t *testing.T) {
	const module = "github.com/fooddelivery/serverless-food-delivery/"
	touchSources(t, "../..")
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		// The packages themselves (.Deps is every package they import, directly or not), not their tests.
		if !strings.HasPrefix(pkg, module+"shared/platform") {
			continue
		}
		checked++
		for _, dep := range fields[1:] {
			if dep == module+"shared/domain" {
				t.Errorf("%s depends on shared/domain", strings.TrimPrefix(pkg, module))
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages under shared/platform:\n%s", checked, out)
	}
}

// touchSources stats every Go file and go.mod of the module: go test caches a result by the files the test itself
// opens, and the go list it runs reads them in another process, so without this a cached pass would survive an
// import added anywhere.
func touchSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestProductionCodeNamesNoEmulator keeps emulator notes out of the functions' code: no non-test Go file under
// functions/ or shared/ (but shared/devstack, the local stack's tooling) names an emulator product or its pinned
// version. What the code does because of the emulator is explained once, in docs/emulator.md, and the code stays
// emulator-agnostic.
func TestProductionCodeNamesNoEmulator(t *testing.T) {
	named := regexp.MustCompile(`(?i)ministack|localstack|1\.5\.33`)
	files := 0
	for _, root := range []string{"../../functions", "../../shared"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "devstack" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			files++
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(src), "\n") {
				if named.MatchString(line) {
					t.Errorf("%s:%d names the emulator (move the note to docs/emulator.md): %s", path, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 50 {
		t.Fatalf("read only %d files", files)
	}
}
