package infra

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
)

// The expressions below are what the functions and clients receive: on AWS the API's own wss:// endpoint, on the
// emulator its path form (docs/realtime.md).
func wsEndpoint(s *synthesized) obj {
	return getAtt(s.idOf("AWS::ApiGatewayV2::Api", "WebSocketApi"), "ApiEndpoint")
}

func (s *synthesized) idOf(typ, name string) string {
	for id := range s.ofType(typ) {
		if strings.HasPrefix(id, name) && len(id) == len(name)+8 {
			return id
		}
	}
	return ""
}

func wsURL(s *synthesized, stage, scheme string) obj {
	api := s.idOf("AWS::ApiGatewayV2::Api", "WebSocketApi")
	if stage == StageAWS {
		return obj{"Fn::Join": arr{"", arr{scheme, obj{"Fn::Select": arr{float64(1), obj{"Fn::Split": arr{"://", wsEndpoint(s)}}}}, "/live"}}}
	}
	return obj{"Fn::Join": arr{"", arr{scheme, obj{"Fn::Select": arr{float64(1), obj{"Fn::Split": arr{"execute-api.", wsEndpoint(s)}}}},
		"/_aws/execute-api/", ref(api), "/live"}}}
}

func wantWebSocketURL(s *synthesized, stage string) obj {
	if stage == StageAWS {
		return wsURL(s, stage, "wss://")
	}
	return wsURL(s, stage, "ws://")
}

func wantRealtimeEnv(t *testing.T, s *synthesized, folder string) obj {
	t.Helper()
	table := ref(s.id(t, "AWS::DynamoDB::Table", "Table"))
	env := obj{"LOG_LEVEL": "INFO", "SERVICE_NAME": folder, "TABLE_NAME": table}
	stage := StageLocal
	if s == awsStack {
		stage = StageAWS
	}
	if folder == FnRealtimePush {
		scheme := "http://"
		if stage == StageAWS {
			scheme = "https://"
		}
		env["CONNECTIONS_URL"] = wsURL(s, stage, scheme)
		return env
	}
	pool := ref(s.id(t, "AWS::Cognito::UserPool", "UserPool"))
	issuer := arr{"https://cognito-idp.", ref("AWS::Region"), ".", ref("AWS::URLSuffix"), "/", pool}
	env["JWT_ISSUER"] = obj{"Fn::Join": arr{"", issuer}}
	env["JWT_AUDIENCE"] = ref(s.id(t, "AWS::Cognito::UserPoolClient", "UserPoolAppClient"))
	if stage == StageAWS {
		env["JWKS_URL"] = obj{"Fn::Join": arr{"", append(slices.Clone(issuer), "/.well-known/jwks.json")}}
	} else {
		// The emulator serves the pool's keys on its own endpoint: the host of the API endpoint after "<id>.execute-api.".
		env["JWKS_URL"] = obj{"Fn::Join": arr{"", arr{"http://",
			obj{"Fn::Select": arr{float64(1), obj{"Fn::Split": arr{"execute-api.", wsEndpoint(s)}}}}, "/", pool, "/.well-known/jwks.json"}}}
	}
	return env
}

func TestWebSocketAPI(t *testing.T) {
	for _, stage := range []string{StageLocal, StageAWS} {
		t.Run(stage, func(t *testing.T) {
			s := local(t)
			if stage == StageAWS {
				s = awsStage(t)
			}
			api := s.id(t, "AWS::ApiGatewayV2::Api", "WebSocketApi")
			fn := s.id(t, "AWS::Lambda::Function", "RealtimeFunction")
			push := s.id(t, "AWS::Lambda::Function", "RealtimePushFunction")
			res := s.resources()
			if p := props(res[api]); p["ProtocolType"] != "WEBSOCKET" || p["RouteSelectionExpression"] != "$request.body.action" {
				t.Errorf("WebSocket API %v", p)
			}
			check(t, "stage live", func() {
				s.tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), obj{
					"ApiId": ref(api), "StageName": WebSocketStageName, "AutoDeploy": true,
					"DefaultRouteSettings": obj{"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100},
				})
			})
			// Every route is a Lambda proxy integration of the realtime function; subscribe and $default answer
			// with their response body on AWS (two-way routes).
			var routes []string
			responses := map[string]bool{}
			for _, rr := range s.ofType("AWS::ApiGatewayV2::RouteResponse") {
				responses[props(rr)["RouteId"].(obj)["Ref"].(string)] = true
			}
			for id, r := range s.ofType("AWS::ApiGatewayV2::Route") {
				p := props(r)
				if !reflect.DeepEqual(p["ApiId"], ref(api)) {
					continue
				}
				key := p["RouteKey"].(string)
				routes = append(routes, key)
				target := p["Target"].(obj)["Fn::Join"].([]any)[1].([]any)[1].(obj)["Ref"].(string)
				ip := props(res[target])
				uri, _ := json.Marshal(ip["IntegrationUri"])
				if ip["IntegrationType"] != "AWS_PROXY" || !strings.Contains(string(uri), `"`+fn+`"`) {
					t.Errorf("route %s integration %v", key, ip)
				}
				twoWay := key == realtime.RouteSubscribe || key == realtime.RouteDefault
				if want := twoWay && stage == StageAWS; responses[id] != want || (p["RouteResponseSelectionExpression"] != nil) != want {
					t.Errorf("route %s: route response %v, want %v", key, responses[id], want)
				}
			}
			sort.Strings(routes)
			want := slices.Clone(realtime.Routes)
			sort.Strings(want)
			if !reflect.DeepEqual(routes, want) {
				t.Errorf("routes %v, want %v", routes, want)
			}
			// Exactly the table actions each needs; the push may post to this API's stage and nothing else.
			tableArn, _ := json.Marshal(getAtt(s.id(t, "AWS::DynamoDB::Table", "Table"), "Arn"))
			for f, name := range map[string]string{fn: FnRealtime, push: FnRealtimePush} {
				access, err := TableAccess(name)
				if err != nil {
					t.Fatal(err)
				}
				actions := access.Actions
				var got, manage []string
				for _, g := range s.grantsOf(t, f) {
					switch {
					case g.resource == string(tableArn):
						got = append(got, g.action)
					case g.action == "execute-api:ManageConnections":
						manage = append(manage, g.resource)
					case strings.HasPrefix(g.action, "dynamodb:") && !strings.Contains(g.resource, "StreamArn") && !strings.Contains(g.resource, "/index/") && g.action != "dynamodb:ListStreams":
						t.Errorf("%s may %s on %s", f, g.action, g.resource)
					}
				}
				sort.Strings(got)
				w := slices.Clone(actions)
				sort.Strings(w)
				if !reflect.DeepEqual(got, w) {
					t.Errorf("%s table actions %v, want exactly %v", f, got, w)
				}
				wantManage := []string{}
				if f == push {
					arn, _ := json.Marshal(obj{"Fn::Join": arr{"", arr{"arn:", ref("AWS::Partition"), ":execute-api:", ref("AWS::Region"), ":",
						ref("AWS::AccountId"), ":", ref(api), "/live/POST/@connections/*"}}})
					wantManage = []string{string(arn)}
				}
				if manage == nil {
					manage = []string{}
				}
				if !reflect.DeepEqual(manage, wantManage) {
					t.Errorf("%s ManageConnections on %v, want %v", f, manage, wantManage)
				}
			}
			// The push reads the stream, filtered to order status changes after the order's creation and to
			// position items.
			check(t, "stream → realtime-push", func() {
				s.tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), obj{
					"EventSourceArn":        getAtt(s.id(t, "AWS::DynamoDB::Table", "Table"), "StreamArn"),
					"FunctionName":          ref(push),
					"StartingPosition":      "LATEST",
					"BatchSize":             RealtimeStreamBatchSize,
					"FunctionResponseTypes": arr{"ReportBatchItemFailures"},
					"FilterCriteria": obj{"Filters": arr{
						obj{"Pattern": `{"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["PLACED"]}]},"type":{"S":["order"]}}},"eventName":["INSERT","MODIFY"]}`},
						obj{"Pattern": `{"dynamodb":{"NewImage":{"type":{"S":["tracking"]}}},"eventName":["INSERT","MODIFY"]}`},
					}},
				})
			})
			for _, f := range []string{FnRealtime, FnRealtimePush} {
				env := props(res[s.id(t, "AWS::Lambda::Function", functionIDs[f])])["Environment"].(obj)["Variables"]
				if w := wantRealtimeEnv(t, s, f); !reflect.DeepEqual(env, w) {
					g, _ := json.Marshal(env)
					b, _ := json.Marshal(w)
					t.Errorf("%s environment\n got %s\nwant %s", f, g, b)
				}
			}
			if got := s.raw["Outputs"].(obj)["WebSocketUrl"].(obj)["Value"]; !reflect.DeepEqual(got, wantWebSocketURL(s, stage)) {
				t.Errorf("WebSocketUrl output %v", got)
			}
		})
	}
}
