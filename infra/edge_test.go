package infra

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestHTTPAPIAccessLogAndRouteThrottles: the $default stage writes a JSON access line per request (the caller's
// subject, never a token or a header) to a log group with retention, and throttles the writing routes tighter
// than the reads.
func TestHTTPAPIAccessLogAndRouteThrottles(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		stages := s.ofType("AWS::ApiGatewayV2::Stage")
		var stage obj
		var stageID string
		for id, st := range stages {
			if props(st)["StageName"] == "$default" {
				stage, stageID = st, id
			}
		}
		if stage == nil {
			t.Fatal("no $default stage")
		}
		p := props(stage)
		als, _ := p["AccessLogSettings"].(obj)
		var line map[string]string
		if err := json.Unmarshal([]byte(fmt.Sprint(als["Format"])), &line); err != nil {
			t.Fatalf("access log format is not a JSON object: %v (%v)", err, als["Format"])
		}
		for _, want := range []string{"requestId", "routeKey", "status", "latencyMs", "sub"} {
			if line[want] == "" {
				t.Errorf("access log lacks %s: %v", want, line)
			}
		}
		for k, v := range line {
			if strings.Contains(strings.ToLower(v), "header") || strings.Contains(v, "authorization") || (strings.Contains(v, "claims") && k != "sub") {
				t.Errorf("access log field %s=%s may carry a token or a header", k, v)
			}
		}
		dest := fmt.Sprint(als["DestinationArn"])
		lg := ""
		for id := range s.ofType("AWS::Logs::LogGroup") {
			if strings.Contains(dest, id) {
				lg = id
			}
		}
		if lg == "" || props(s.resources()[lg])["RetentionInDays"] == nil {
			t.Errorf("access log destination %s is not a log group of the stack with retention", dest)
		}

		rs, _ := p["RouteSettings"].(obj)
		routes := map[string]bool{}
		for _, r := range s.ofType("AWS::ApiGatewayV2::Route") {
			routes[fmt.Sprint(props(r)["RouteKey"])] = true
		}
		for key, th := range RouteThrottles {
			got, _ := rs[key].(obj)
			if got["ThrottlingRateLimit"] != th.Rate || got["ThrottlingBurstLimit"] != th.Burst {
				t.Errorf("route %s throttle %v, want %+v", key, got, th)
			}
			if !routes[key] {
				t.Errorf("throttled route %s is not a route of the API", key)
			}
			if th.Rate >= StageThrottle.Rate || th.Burst >= StageThrottle.Burst {
				t.Errorf("route %s is not tighter than the reads (%+v vs %+v)", key, th, StageThrottle)
			}
		}
		for _, key := range []string{"POST /orders", "POST /couriers/me/location"} {
			if _, ok := RouteThrottles[key]; !ok {
				t.Errorf("%s has no route throttle", key)
			}
		}
		if len(list(stage["DependsOn"])) < len(routes) {
			t.Errorf("stage %s depends on %v, want every route (route settings name them)", stageID, stage["DependsOn"])
		}
	}
}

// TestCognitoHardening: passwords of 12 characters or more, optional TOTP (no SMS), stated token lifetimes.
func TestCognitoHardening(t *testing.T) {
	s := awsStage(t)
	for _, pool := range s.ofType("AWS::Cognito::UserPool") {
		p := props(pool)
		pw, _ := p["Policies"].(obj)["PasswordPolicy"].(obj)
		if n, _ := pw["MinimumLength"].(float64); n < 12 {
			t.Errorf("password minimum length %v, want at least 12", pw["MinimumLength"])
		}
		if p["MfaConfiguration"] != "OPTIONAL" || fmt.Sprint(p["EnabledMfas"]) != "[SOFTWARE_TOKEN_MFA]" {
			t.Errorf("MFA %v %v, want OPTIONAL with TOTP only", p["MfaConfiguration"], p["EnabledMfas"])
		}
	}
	for _, c := range s.ofType("AWS::Cognito::UserPoolClient") {
		p := props(c)
		units, _ := p["TokenValidityUnits"].(obj)
		if p["IdTokenValidity"] != float64(TokenLifetimes.ID.Minutes()) || units["IdToken"] != "minutes" ||
			p["AccessTokenValidity"] != float64(TokenLifetimes.Access.Minutes()) || units["AccessToken"] != "minutes" ||
			p["RefreshTokenValidity"] != float64(TokenLifetimes.Refresh.Minutes()) || units["RefreshToken"] != "minutes" {
			t.Errorf("token lifetimes %v %v %v %v, want %+v", p["IdTokenValidity"], p["AccessTokenValidity"], p["RefreshTokenValidity"], units, TokenLifetimes)
		}
	}
}

// TestSweeperFailuresHaveADestination: the sweeper's asynchronous invocations that fail every retry land in a
// queue its role may send to.
func TestSweeperFailuresHaveADestination(t *testing.T) {
	s := local(t)
	fn := s.id(t, "AWS::Lambda::Function", functionIDs[FnSweeper])
	q := s.id(t, "AWS::SQS::Queue", "SweeperFailureQueue")
	found := false
	for _, c := range s.ofType("AWS::Lambda::EventInvokeConfig") {
		p := props(c)
		if fmt.Sprint(p["FunctionName"]) != fmt.Sprint(ref(fn)) {
			continue
		}
		found = true
		on := fmt.Sprint(p["DestinationConfig"].(obj)["OnFailure"].(obj)["Destination"])
		if on != fmt.Sprint(getAtt(q, "Arn")) {
			t.Errorf("sweeper failure destination %s, want %s", on, q)
		}
	}
	if !found {
		t.Fatal("the sweeper has no EventInvokeConfig")
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	ok := false
	for _, g := range s.grantsOf(t, fn) {
		ok = ok || g.action == "sqs:SendMessage" && g.resource == js(getAtt(q, "Arn"))
	}
	if !ok {
		t.Error("the sweeper may not send to its failure queue")
	}
}
