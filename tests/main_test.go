//go:build e2e

// Package tests drives the deployed stack on an emulator (or AWS) through its
// public interfaces: the HTTP API, Cognito, and, to check what was stored,
// the table. `make e2e` deploys a fresh stack and runs them; they need
// E2E_OUTPUTS (the cdk outputs file) and the AWS_* environment of the target.
package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

// stack is what every test needs to reach the deployed system.
type stack struct {
	out     devstack.Outputs
	apiBase string
	users   devstack.Users
	ddb     *dynamodb.Client
	s3      *s3.Client
	sqs     *sqs.Client
	events  *eventbridge.Client
}

var deployed stack

func TestMain(m *testing.M) {
	path := os.Getenv("E2E_OUTPUTS")
	if path == "" {
		fmt.Fprintln(os.Stderr, "E2E_OUTPUTS is not set; run these tests with `make e2e`")
		os.Exit(2)
	}
	out, err := devstack.LoadOutputs(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cfg, err := awsclient.Load(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := loadContract("../openapi.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	deployed = stack{
		out:     out,
		apiBase: out.APIBase(os.Getenv("AWS_ENDPOINT_URL")),
		users:   devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID},
		ddb:     dynamodb.NewFromConfig(cfg),
		s3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs:     sqs.NewFromConfig(cfg),
		events:  eventbridge.NewFromConfig(cfg),
	}
	code := m.Run()
	printContractCoverage()
	os.Exit(code)
}

// apiResponse is a decoded API reply.
type apiResponse struct {
	Status int
	Body   map[string]any
	Raw    string
}

// call sends a request to the HTTP API. body may be nil, a string (sent as
// is, to test malformed input) or a value encoded as JSON.
func call(t *testing.T, method, path, token string, body any) apiResponse {
	t.Helper()
	return callWith(t, method, path, token, body, nil)
}

// callWith is call with extra request headers.
func callWith(t *testing.T, method, path, token string, body any, headers map[string]string) apiResponse {
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, deployed.apiBase+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkContract(t, method, path, resp, raw) // every response must match openapi.yaml
	notePaymentToken(body)
	checkNoLeak(t, method, path, token, raw) // and carry no payment token, nobody else's id
	out := apiResponse{Status: resp.StatusCode, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body) // non-JSON bodies are checked through Raw
	return out
}

// eventually polls cond until it holds or the deadline passes. The emulator
// starts a process per invocation, so waits are for conditions, never sleeps
// of a guessed length.
func eventually(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last state: %s", what, within, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// newCustomer signs up a fresh customer through the public Cognito API and
// returns its ID token and subject.
func newCustomer(t *testing.T) (token, subject string) {
	t.Helper()
	return newCustomerNamed(t, "")
}

// newCustomerNamed is newCustomer with a first name (given_name) on the
// account, when givenName is not empty.
func newCustomerNamed(t *testing.T, givenName string) (token, subject string) {
	t.Helper()
	ctx := context.Background()
	username := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	password := devstack.DemoPassword
	var attrs []ciptypes.AttributeType
	if givenName != "" {
		attrs = append(attrs, ciptypes.AttributeType{Name: aws.String("given_name"), Value: aws.String(givenName)})
	}
	if _, err := deployed.users.Client.SignUp(ctx, &cip.SignUpInput{
		ClientId: &deployed.out.UserPoolClientID, Username: &username, Password: &password, UserAttributes: attrs,
	}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	// A real customer confirms with the code Cognito emails; the test, as an
	// admin, confirms directly.
	if _, err := deployed.users.Client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: &deployed.out.UserPoolID, Username: &username,
	}); err != nil {
		t.Fatalf("confirm sign up: %v", err)
	}
	if _, err := deployed.users.Client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: &deployed.out.UserPoolID, Username: &username, GroupName: aws.String("customer"),
	}); err != nil {
		t.Fatalf("add to customer group: %v", err)
	}
	token, err := deployed.users.SignIn(ctx, username, password)
	if err != nil {
		t.Fatal(err)
	}
	subject, err = deployed.users.Subject(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	registerParty(token, subject)
	return token, subject
}
