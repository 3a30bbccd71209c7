// Command token signs a user of the deployed stack in and prints its ID token,
// for trying the API with curl:
//
//	TOKEN=$(scripts/token.sh demo-customer)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	password := flag.String("password", devstack.DemoPassword, "the user's password")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: token [-outputs FILE] [-password P] USERNAME")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token, err := signIn(ctx, *outputsPath, flag.Arg(0), *password)
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
	fmt.Println(token)
}

func signIn(ctx context.Context, outputsPath, username, password string) (string, error) {
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return "", err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return "", err
	}
	users := devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}
	return users.SignIn(ctx, username, password)
}
