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

// TestCognitoHardening: passwords of 12 characters or more, optional TOTP (no SMS), stated token lifetimes, and a
// public client that on AWS takes SRP sign-ins only (the password never travels); the password flows, which the Go
// tools use against the emulator, are the local stage's alone.
func TestCognitoHardening(t *testing.T) {
	for stage, want := range map[*synthesized]string{
		local(t):    "[ALLOW_USER_PASSWORD_AUTH ALLOW_ADMIN_USER_PASSWORD_AUTH ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH]",
		awsStage(t): "[ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH]",
	} {
		for _, c := range stage.ofType("AWS::Cognito::UserPoolClient") {
			if got := fmt.Sprint(props(c)["ExplicitAuthFlows"]); got != want {
				t.Errorf("app client auth flows %s, want %s", got, want)
			}
		}
	}
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
// queue its role may send to, and a message in that queue raises an alarm that notifies the alarm topic (made by
// the observability walk, as every queue without a redrive policy gets; asserted by name here so the walk cannot
// miss it).
func TestSweeperFailuresHaveADestination(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		q := s.id(t, "AWS::SQS::Queue", "SweeperFailureQueue")
		as := alarmsOn(s)["AWS/SQS ApproximateNumberOfMessagesVisible "+q]
		if len(as) != 1 {
			t.Fatalf("alarms on the sweeper's failure queue: %v, want 1", as)
		}
		a := as[0]
		if a["Threshold"] != float64(0) || a["ComparisonOperator"] != "GreaterThanThreshold" || a["Statistic"] != "Maximum" ||
			fmt.Sprint(a["AlarmActions"]) != fmt.Sprint([]any{ref(s.id(t, "AWS::SNS::Topic", "AlarmTopic"))}) {
			t.Errorf("sweeper failure queue alarm: %v", a)
		}
	}
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

// TestReceiptsBucketHasAnAccessLog: S3 logs every request to the receipts bucket into a bucket of its own, which is
// encrypted, closed to the public, TLS-only, expires the log after AccessLogDays, takes writes from S3's log
// delivery for the receipts bucket of this account only (a bucket policy, no ACL), and does not log itself.
func TestReceiptsBucketHasAnAccessLog(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		receipts := s.id(t, "AWS::S3::Bucket", "ReceiptsBucket")
		logs := s.id(t, "AWS::S3::Bucket", "ReceiptsAccessLogsBucket")
		lc, _ := props(s.resources()[receipts])["LoggingConfiguration"].(obj)
		if fmt.Sprint(lc["DestinationBucketName"]) != fmt.Sprint(ref(logs)) || lc["LogFilePrefix"] != ReceiptsAccessLogPrefix {
			t.Errorf("receipts bucket logging %v, want into %s under %s", lc, logs, ReceiptsAccessLogPrefix)
		}
		r := s.resources()[logs]
		p := props(r)
		js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
		for name, want := range map[string]string{
			"BucketEncryption":               `{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}`,
			"PublicAccessBlockConfiguration": `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}`,
			"LifecycleConfiguration":         fmt.Sprintf(`{"Rules":[{"ExpirationInDays":%d,"Id":"expire-access-logs","Status":"Enabled"}]}`, AccessLogDays),
			"OwnershipControls":              `{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}`,
		} {
			if got := js(p[name]); got != want {
				t.Errorf("access log bucket %s = %s, want %s", name, got, want)
			}
		}
		if p["LoggingConfiguration"] != nil || p["AccessControl"] != nil {
			t.Errorf("access log bucket logs itself or uses an ACL: %v", p)
		}
		if s == awsStage(t) && r["DeletionPolicy"] != "Retain" {
			t.Errorf("aws access log bucket DeletionPolicy %v, want Retain", r["DeletionPolicy"])
		}
		var tlsOnly, delivery bool
		for _, pol := range s.ofType("AWS::S3::BucketPolicy") {
			if fmt.Sprint(props(pol)["Bucket"]) != fmt.Sprint(ref(logs)) {
				continue
			}
			for _, st := range list(props(pol)["PolicyDocument"].(obj)["Statement"]) {
				st := st.(obj)
				switch {
				case st["Effect"] == "Deny" && js(st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}`:
					tlsOnly = true
				case st["Effect"] == "Allow":
					want := js(obj{
						"Action":    "s3:PutObject",
						"Condition": obj{"ArnLike": obj{"aws:SourceArn": getAtt(receipts, "Arn")}, "StringEquals": obj{"aws:SourceAccount": ref("AWS::AccountId")}},
						"Effect":    "Allow",
						"Principal": obj{"Service": "logging.s3.amazonaws.com"},
						"Resource":  obj{"Fn::Join": []any{"", []any{getAtt(logs, "Arn"), "/" + ReceiptsAccessLogPrefix + "*"}}},
					})
					if js(st) != want {
						t.Errorf("access log bucket grants\n%s\nwant\n%s", js(st), want)
					}
					delivery = true
				}
			}
		}
		if !tlsOnly || !delivery {
			t.Errorf("access log bucket policy: TLS-only %v, log delivery %v", tlsOnly, delivery)
		}
	}
}
