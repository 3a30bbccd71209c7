package infra

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// synthFloor synthesizes the floor stack as cmd/cdkapp does with -c floor=true.
func synthFloor(t *testing.T) *synthesized {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := NewFloorStack(app, FloorStackName, &FloorProps{
		AssetDir:     filepath.Join(assetRoot, FnStreamPublisher), // any bootstrap will do
		Architecture: awslambda.Architecture_X86_64(),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	raw := map[string]any{}
	b, _ := json.Marshal(tpl.ToJSON())
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("template JSON: %v", err)
	}
	return &synthesized{tpl: tpl, raw: raw}
}

// mappingOf returns the properties of the one event source mapping of the function with construct id fn, without
// the two that name its function and source and the stack's tags: what is left are its settings.
func (s *synthesized) mappingOf(t *testing.T, fn string) obj {
	t.Helper()
	want := ref(s.id(t, "AWS::Lambda::Function", fn))
	var found []obj
	for _, esm := range s.ofType("AWS::Lambda::EventSourceMapping") {
		if reflect.DeepEqual(props(esm)["FunctionName"], want) {
			settings := obj{}
			for k, v := range props(esm) {
				if k != "FunctionName" && k != "EventSourceArn" && k != "Tags" {
					settings[k] = v
				}
			}
			found = append(found, settings)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one event source mapping of %s, found %d", fn, len(found))
	}
	return found[0]
}

// mappingID is the logical id of the one event source mapping of the function with construct id fn.
func (s *synthesized) mappingID(t *testing.T, fn string) string {
	t.Helper()
	want := ref(s.id(t, "AWS::Lambda::Function", fn))
	for id, esm := range s.ofType("AWS::Lambda::EventSourceMapping") {
		if reflect.DeepEqual(props(esm)["FunctionName"], want) {
			return id
		}
	}
	t.Fatalf("no event source mapping of %s", fn)
	return ""
}

// mappingsOn counts the event source mappings reading the stream of the table with construct id table.
func (s *synthesized) mappingsOn(t *testing.T, table string) int {
	t.Helper()
	arn := getAtt(s.id(t, "AWS::DynamoDB::Table", table), "StreamArn")
	n := 0
	for _, esm := range s.ofType("AWS::Lambda::EventSourceMapping") {
		if reflect.DeepEqual(props(esm)["EventSourceArn"], arn) {
			n++
		}
	}
	return n
}

// envOf is the environment of the function with construct id fn.
func (s *synthesized) envOf(t *testing.T, fn string) obj {
	t.Helper()
	r := s.resources()[s.id(t, "AWS::Lambda::Function", fn)]
	vars, _ := props(r)["Environment"].(obj)["Variables"].(obj)
	return vars
}

// detailTypesOf are the detail types of the rule with construct id rule, sorted.
func (s *synthesized) detailTypesOf(t *testing.T, rule string) []string {
	t.Helper()
	p := props(s.resources()[s.id(t, "AWS::Events::Rule", rule)])
	dt := strs(p["EventPattern"].(obj)["detail-type"])
	sort.Strings(dt)
	return dt
}

// The topology floor is the app's design on the placed → assigned path with no-op functions: its second stream
// consumer, its three notification channels and its payment's provider latency carry the app's own settings, read
// from the app's template here, so that a change to the app's settings that the floor does not follow fails.
func TestTopologyFloorMirrorsTheAppsSettings(t *testing.T) {
	app, floor := local(t), synthFloor(t)

	// The push: realtime-push's event source, its filter included (every order status but PLACED).
	if got, want := floor.mappingOf(t, "TopologyPushFunction"), app.mappingOf(t, "RealtimePushFunction"); !reflect.DeepEqual(got, want) {
		t.Errorf("topology push mapping = %v, want realtime-push's %v", got, want)
	}
	if got := floor.envOf(t, "TopologyPushFunction")[FloorEnvRole]; got != FloorRoleStatusPush {
		t.Errorf("topology push FLOOR_ROLE = %v, want %s", got, FloorRoleStatusPush)
	}
	// The channels: each the settings of the app's channel of the same name, and a rule on Paid and Assigned as the
	// app's channel's rule is on PaymentConfirmed and CourierAssigned.
	for ch, appRule := range map[string]string{FnNotification: "NotificationRule", FnNotifyEmail: "NotifyEmailRule", FnNotifySMS: "NotifySmsRule"} {
		id := "Topology" + constructName(ch)
		if got, want := floor.mappingOf(t, id+"Function"), app.mappingOf(t, functionIDs[ch]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s mapping = %v, want %s's %v", id, got, ch, want)
		}
		if got := floor.envOf(t, id+"Function")[FloorEnvRole]; got != FloorRoleChannel {
			t.Errorf("%s FLOOR_ROLE = %v, want %s", id, got, FloorRoleChannel)
		}
		appTypes := app.detailTypesOf(t, appRule)
		for _, want := range []string{"PaymentConfirmed", "CourierAssigned"} {
			if !slices.Contains(appTypes, want) {
				t.Errorf("the app's %s no longer routes %s: the topology floor's %sRule must follow (%v)", appRule, want, id, appTypes)
			}
		}
		if got := floor.detailTypesOf(t, id+"Rule"); !reflect.DeepEqual(got, []string{"FloorAssigned", "FloorPaid"}) {
			t.Errorf("%sRule detail types = %v, want FloorAssigned and FloorPaid", id, got)
		}
		check(t, id+"Rule targets its queue on the topology bus", func() {
			floor.tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), obj{
				"EventBusName": ref(floor.id(t, "AWS::Events::EventBus", "TopologyEventBus")),
				"Targets":      arrayWith(like(obj{"Arn": getAtt(floor.id(t, "AWS::SQS::Queue", id+"Queue"), "Arn")})),
			})
		})
	}
	// The payment: the app's simulated provider latency of the local stage.
	if got, want := floor.envOf(t, "TopologyPaymentFunction")["PROVIDER_LATENCY_MS"], app.envOf(t, "PaymentFunction")["PROVIDER_LATENCY_MS"]; got == nil || got != want {
		t.Errorf("topology payment PROVIDER_LATENCY_MS = %v, want the app's %v", got, want)
	}
	if got := floor.envOf(t, "TopologyStreamPublisherFunction")[FloorEnvPublishAssigned]; got != "true" {
		t.Errorf("topology publisher %s = %v, want true (the channels get the Assigned event)", FloorEnvPublishAssigned, got)
	}
	// The push's mapping is created after the publisher's, as in the app: MiniStack runs stream mappings in creation
	// order on one thread.
	pushESM, publisherESM := floor.mappingID(t, "TopologyPushFunction"), floor.mappingID(t, "TopologyStreamPublisherFunction")
	if deps := strs(floor.resources()[pushESM]["DependsOn"]); !slices.Contains(deps, publisherESM) {
		t.Errorf("topology push mapping depends on %v, want the publisher's mapping %s among them", deps, publisherESM)
	}
	// The four hops: the plain floor's settings.
	for _, fn := range []string{"StreamPublisherFunction", "PaymentFunction", "AssignmentFunction"} {
		if got, want := floor.mappingOf(t, "Topology"+fn), floor.mappingOf(t, fn); !reflect.DeepEqual(got, want) {
			t.Errorf("topology %s mapping = %v, want the floor's %v", fn, got, want)
		}
	}
	check(t, "topology outputs", func() {
		floor.tpl.HasOutput(jsii.String("TopologyTableName"), map[string]any{})
		floor.tpl.HasOutput(jsii.String("TopologyQueueUrls"), map[string]any{})
	})
}

// The plain floor stays what it measured before the topology floor came beside it: its table's stream has its two
// consumers (publisher and the live-tracking push), its bus its two rules, its functions none of the topology's
// switches.
func TestPlainFloorIsUnchangedByTheTopologyFloor(t *testing.T) {
	floor := synthFloor(t)
	if n := floor.mappingsOn(t, "Table"); n != 2 {
		t.Errorf("the floor's table has %d stream consumers, want 2 (publisher, ping push)", n)
	}
	if n := floor.mappingsOn(t, "TopologyTable"); n != 2 {
		t.Errorf("the topology floor's table has %d stream consumers, want 2 (publisher, status push)", n)
	}
	bus := ref(floor.id(t, "AWS::Events::EventBus", "EventBus"))
	n := 0
	for _, r := range floor.ofType("AWS::Events::Rule") {
		if reflect.DeepEqual(props(r)["EventBusName"], bus) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the floor's bus has %d rules, want 2 (payment, assignment)", n)
	}
	for _, fn := range []string{"StreamPublisherFunction", "PaymentFunction", "AssignmentFunction"} {
		env := floor.envOf(t, fn)
		for _, k := range []string{FloorEnvRole, FloorEnvPublishAssigned, "PROVIDER_LATENCY_MS"} {
			if v, ok := env[k]; ok {
				t.Errorf("the floor's %s has %s=%v", fn, k, v)
			}
		}
	}
}
