package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests run scripts/deploy-aws.sh (make deploy) and scripts/destroy.sh (make destroy) as a reader would, in
// an environment without AWS credentials (no keys, no profile, config files that do not exist, no instance
// metadata): what can be proved without an account.

const root = "../.."

// noCredentials is the test process's environment without anything that could reach AWS credentials or an emulator.
func noCredentials(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || name == "SENDER_EMAIL" || name == "ALARM_EMAIL" || name == "CONFIRM" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_REGION=eu-west-1",
		"NO_COLOR=1",
	)
	return append(env, extra...)
}

// run runs a script of the repository with stdin as its input (nil: /dev/null, not a terminal).
func run(t *testing.T, env []string, stdin string, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = root
	cmd.Env = env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v\n%s", name, err, out.String())
	}
	return out.String(), cmd.ProcessState.ExitCode()
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestDeployWithoutCredentialsStopsBeforeBuilding: `make deploy` checks the credentials first and says what to
// do; nothing is built and cdk never runs.
func TestDeployWithoutCredentialsStopsBeforeBuilding(t *testing.T) {
	t.Parallel()
	out, code := run(t, noCredentials(t, "SENDER_EMAIL=orders@example.com"), "", "scripts/deploy-aws.sh")
	if code == 0 {
		t.Fatalf("deploy without credentials succeeded:\n%s", out)
	}
	mustContain(t, out, "Checking the AWS credentials", "no AWS credentials: configure them first", "AWS_PROFILE")
	for _, never := range []string{"Building functions", "cdk deploy"} {
		if strings.Contains(out, never) {
			t.Errorf("deploy without credentials went on to %q:\n%s", never, out)
		}
	}
}

// TestDeployRefusesAnEmulatorAndAMissingSender: AWS_ENDPOINT_URL (the emulator's variable) must not send an aws
// deploy to an emulator, and the sender address the stack needs is asked for before anything runs.
func TestDeployRefusesAnEmulatorAndAMissingSender(t *testing.T) {
	t.Parallel()
	out, code := run(t, noCredentials(t, "SENDER_EMAIL=orders@example.com", "AWS_ENDPOINT_URL=http://localhost:4566"), "", "scripts/deploy-aws.sh")
	if code == 0 || strings.Contains(out, "Checking") {
		t.Errorf("deploy with AWS_ENDPOINT_URL: exit %d\n%s", code, out)
	}
	mustContain(t, out, "points at an emulator", "make deploy-local")
	out, code = run(t, noCredentials(t), "", "scripts/deploy-aws.sh")
	if code == 0 || strings.Contains(out, "Checking") {
		t.Errorf("deploy without SENDER_EMAIL: exit %d\n%s", code, out)
	}
	mustContain(t, out, "SENDER_EMAIL is required")
}

// TestDestroyRefusesWithoutATerminal: with no terminal to ask in and no CONFIRM, or a CONFIRM that is not the
// stack's name, make destroy refuses at once.
func TestDestroyRefusesWithoutATerminal(t *testing.T) {
	t.Parallel()
	for _, extra := range [][]string{nil, {"CONFIRM=yes"}} {
		out, code := run(t, noCredentials(t, extra...), "", "scripts/destroy.sh")
		if code == 0 || strings.Contains(out, "Synthesizing") {
			t.Errorf("destroy %v without a terminal: exit %d\n%s", extra, code, out)
		}
		mustContain(t, out, "CONFIRM="+StackName)
	}
}

// TestDestroyListsWhatItRetainsAsksAndKeepsOnNo: in a terminal, make destroy lists the retained resources of the
// aws template with their reasons, asks for the stack's name, and on any other answer deletes nothing (it never
// reaches for credentials). With CONFIRM it does not ask, and without credentials it fails saying so.
func TestDestroyListsWhatItRetainsAsksAndKeepsOnNo(t *testing.T) {
	t.Parallel()
	script, err := exec.LookPath("script") // util-linux: runs the command on a pseudo-terminal
	if err != nil {
		t.Fatal("script(1) from util-linux is needed to give make destroy a terminal")
	}
	out, code := run(t, noCredentials(t), "no\n", script, "-qec", "scripts/destroy.sh", "/dev/null")
	if code == 0 {
		t.Errorf("destroy answered no: exit 0\n%s", out)
	}
	mustContain(t, out, "AWS::DynamoDB::Table: orders", "TableCD117FA1", "AWS::S3::Bucket", "ReceiptsBucket",
		"AWS::Logs::LogGroup", "AWS::Cognito::UserPool", "CDKToolkit", "Type "+StackName+" to delete", "kept: nothing was deleted")
	if strings.Contains(out, "no AWS credentials") {
		t.Errorf("destroy reached for credentials after a no:\n%s", out)
	}

	out, code = run(t, noCredentials(t, "CONFIRM="+StackName), "", "scripts/destroy.sh")
	if code == 0 {
		t.Errorf("destroy without credentials: exit 0\n%s", out)
	}
	mustContain(t, out, "TableCD117FA1", "no AWS credentials")
	if strings.Contains(out, "Type "+StackName) {
		t.Errorf("destroy with CONFIRM asked anyway:\n%s", out)
	}
}
