package infra

import (
	"fmt"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// readConfig is each function's own FromEnv, as its main.go calls it at cold start.
var readConfig = map[string]func(getenv func(string) string) error{
	FnOrderAPI:           func(g func(string) string) error { _, err := orders.ConfigFromEnv(g); return err },
	FnTracking:           func(g func(string) string) error { _, err := tracking.ConfigFromEnv(g); return err },
	FnOpsAPI:             func(g func(string) string) error { _, err := ops.ConfigFromEnv(g); return err },
	FnStreamPublisher:    func(g func(string) string) error { _, err := publisher.ConfigFromEnv(g); return err },
	FnPayment:            func(g func(string) string) error { _, err := payments.ConfigFromEnv(g); return err },
	FnDeliveryAssignment: func(g func(string) string) error { _, err := delivery.ConfigFromEnv(g); return err },
	FnNotification: func(g func(string) string) error {
		_, err := notify.ConfigFromEnv(domain.ChannelInbox, g)
		return err
	},
	FnNotifyEmail: func(g func(string) string) error {
		_, err := notify.ConfigFromEnv(domain.ChannelEmail, g)
		return err
	},
	FnNotifySMS: func(g func(string) string) error { _, err := notify.ConfigFromEnv(domain.ChannelSMS, g); return err },
	FnRealtime:  func(g func(string) string) error { _, err := realtime.ConfigFromEnv(g); return err },
	FnRealtimePush: func(g func(string) string) error {
		_, err := realtime.PushConfigFromEnv(g)
		return err
	},
	FnSweeper: func(g func(string) string) error { _, err := sweeper.FunctionConfigFromEnv(g); return err },
}

// TestFunctionsStartWithTheEnvironmentTheStackGivesThem: on both stages, every function's Config reads without
// error from the environment the synthesized template gives it: each variable a function requires is set (a
// reference to a resource counts as set) and each number parses. A variable renamed on one side only, or a new
// required one infra forgets, fails here instead of at the deployed function's cold start.
func TestFunctionsStartWithTheEnvironmentTheStackGivesThem(t *testing.T) {
	for stage, s := range map[string]*synthesized{"local": local(t), "aws": awsStage(t)} {
		res := s.resources()
		for fn, id := range functionIDs {
			read, ok := readConfig[fn]
			if !ok {
				t.Errorf("function %s has no Config reader in this test", fn)
				continue
			}
			vars, _ := props(res[s.id(t, "AWS::Lambda::Function", id)])["Environment"].(obj)["Variables"].(obj)
			getenv := func(name string) string {
				v, ok := vars[name]
				if !ok {
					return ""
				}
				if str, ok := v.(string); ok {
					return str
				}
				return fmt.Sprint(v) // a Ref or Fn::Join: set at deploy
			}
			if err := read(getenv); err != nil {
				t.Errorf("%s stage: %s would not start: %v", stage, fn, err)
			}
		}
	}
	// And the test can fail: without its variables a function refuses to start, naming what is missing.
	if err := readConfig[FnPayment](func(string) string { return "" }); err == nil {
		t.Error("the payment function started with no environment")
	}
}
