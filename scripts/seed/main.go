// Command seed loads the demo catalogue, couriers and users into a deployed
// stack. It is idempotent: menus are overwritten, users and couriers that
// exist are left as they are (a courier out on a delivery stays on it).
//
//	go run ./scripts/seed -outputs .run/4566/outputs.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	benchCouriers := flag.Int("bench-couriers", 0, "also create this many free couriers without logins, "+
		"bench-courier-N at the demo couriers' places (make bench assigns 100 orders at once)")
	flag.Parse()
	if err := run(*outputsPath, *benchCouriers); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(outputsPath string, benchCouriers int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	table := store.New(dynamodb.NewFromConfig(cfg), out.TableName)
	users := devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}

	menus, err := devstack.DemoMenus()
	if err != nil {
		return err
	}
	items := 0
	for _, menu := range menus {
		if err := table.PutMenu(ctx, menu); err != nil {
			return err
		}
		items += len(menu.Items)
	}
	fmt.Printf("seeded %d restaurants with %d menu items\n", len(menus), items)

	if _, err := users.Ensure(ctx, devstack.DemoCustomer, devstack.DemoPassword, httpapi.GroupCustomer); err != nil {
		return err
	}
	// The courier of an order is shown the customer's first name (the token's given_name).
	if err := users.SetGivenName(ctx, devstack.DemoCustomer, devstack.DemoCustomerFirstName); err != nil {
		return err
	}
	if _, err := users.Ensure(ctx, devstack.DemoOps, devstack.DemoPassword, httpapi.GroupOps); err != nil {
		return err
	}
	newCouriers := 0
	for _, c := range devstack.DemoCouriers {
		sub, err := users.Ensure(ctx, c.Username, devstack.DemoPassword, httpapi.GroupCourier)
		if err != nil {
			return err
		}
		created, err := table.CreateCourier(ctx, domain.Courier{
			ID: sub, Name: c.Name, Status: domain.CourierAvailable, Location: c.Location, UpdatedAt: time.Now().UTC(),
		})
		if err != nil {
			return err
		}
		if created {
			newCouriers++
		}
	}
	fmt.Printf("seeded %d couriers (%d new)\n", len(devstack.DemoCouriers), newCouriers)

	for i := range benchCouriers {
		if _, err := table.CreateCourier(ctx, domain.Courier{
			ID: fmt.Sprintf("bench-courier-%03d", i+1), Name: fmt.Sprintf("Bench %d", i+1), Status: domain.CourierAvailable,
			Location: devstack.DemoCouriers[i%len(devstack.DemoCouriers)].Location, UpdatedAt: time.Now().UTC(),
		}); err != nil {
			return err
		}
	}
	if benchCouriers > 0 {
		fmt.Printf("seeded %d bench couriers (no logins)\n", benchCouriers)
	}

	fmt.Println("demo logins (password for all: " + devstack.DemoPassword + "):")
	fmt.Println("  customer:", devstack.DemoCustomer)
	for _, c := range devstack.DemoCouriers {
		fmt.Println("  courier: ", c.Username)
	}
	fmt.Println("  ops:     ", devstack.DemoOps, "(the ops console, #/ops)")
	return nil
}
