package platform_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

func TestEnvNamesEveryProblemAtOnce(t *testing.T) {
	vars := map[string]string{"SET": "x", "N": "7", "MS": "250", "BAD_N": "seven"}
	env := platform.ReadEnv(func(k string) string { return vars[k] })
	if got := env.Required("SET"); got != "x" {
		t.Errorf("Required(SET) = %q", got)
	}
	if got := env.Optional("UNSET"); got != "" {
		t.Errorf("Optional(UNSET) = %q", got)
	}
	if got := env.Int("N", 1); got != 7 {
		t.Errorf("Int(N) = %d", got)
	}
	if got := env.Int("UNSET", 3); got != 3 {
		t.Errorf("Int(UNSET) = %d, want the default", got)
	}
	if got := env.Millis("MS", time.Second); got != 250*time.Millisecond {
		t.Errorf("Millis(MS) = %s", got)
	}
	if got := env.Millis("UNSET", time.Second); got != time.Second {
		t.Errorf("Millis(UNSET) = %s, want the default", got)
	}
	if err := env.Err(); err != nil {
		t.Fatalf("no problem yet, got %v", err)
	}
	env.Required("MISSING")
	env.Int("BAD_N", 0)
	env.Check(errors.New("policy: too short"))
	err := env.Err()
	for _, want := range []string{"MISSING is required", `BAD_N="seven" is not a whole number`, "policy: too short"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v, want it to name %q", err, want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "MISSING") {
			t.Errorf("MustConfig did not stop the cold start with the problems: %v", r)
		}
	}()
	platform.MustConfig(struct{}{}, err)
}

// TestFunctionsReadTheirEnvironmentThroughAConfig keeps one configuration pattern: every functions/*/main.go reads
// its environment only by handing os.Getenv to its Config's FromEnv (whose variables infra sets from the same
// constants, and TestFunctionsStartWithTheEnvironmentTheStackGivesThem in infra checks), never a variable itself.
func TestFunctionsReadTheirEnvironmentThroughAConfig(t *testing.T) {
	mains, err := filepath.Glob("../../functions/*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("no functions found: %v", err)
	}
	fromEnv := regexp.MustCompile(`platform\.MustConfig\(\w+\.\w*FromEnv\(([\w.]+, )?os\.Getenv\)\)`)
	direct := regexp.MustCompile(`os\.(Getenv|LookupEnv|Environ)\(`)
	for _, path := range mains {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		code := fromEnv.ReplaceAllString(string(src), "")
		if len(fromEnv.FindAllString(string(src), -1)) != 1 {
			t.Errorf("%s does not read its Config once with platform.MustConfig(….…FromEnv(os.Getenv))", path)
		}
		if direct.MatchString(code) {
			t.Errorf("%s reads the environment itself: %s", path, direct.FindString(code))
		}
	}
}
