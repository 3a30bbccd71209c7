package infra

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// resourceStarActions are the only actions a policy may allow on Resource "*": AWS authorises them on no
// narrower resource. Anything else on "*" fails the tests below.
var resourceStarActions = map[string]string{
	// Lambda's DynamoDB stream event source (the stream publisher) lists the table's streams; ListStreams has
	// no resource-level permission. CDK adds it with the event source.
	"dynamodb:ListStreams": "no resource-level permission",
	// Active tracing (aws stage): X-Ray has no resource-level permissions; CDK adds these with Tracing.ACTIVE.
	"xray:PutTraceSegments":    "no resource-level permission",
	"xray:PutTelemetryRecords": "no resource-level permission",
	"xray:GetSamplingRules":    "no resource-level permission",
	"xray:GetSamplingTargets":  "no resource-level permission",
	// The SMS channel (notify-sms) publishes to phone numbers, not topics: such a publish has no resource ARN,
	// so IAM can only allow it on "*" (infra/notify.go; the account's SMS spend limit bounds it).
	"sns:Publish": "a publish to a phone number has no resource",
}

// policyStatements returns every statement of every policy document in the template, by where it is:
// identity policies (AWS::IAM::Policy, ::ManagedPolicy, a role's inline Policies) and resource policies
// (any resource with a PolicyDocument: queue, bucket, topic policies…). Iterating over the template, not over
// a list of functions, holds a function or policy added later to the same rules.
func policyStatements(s *synthesized) map[string][]obj {
	out := map[string][]obj{}
	add := func(where string, doc any) {
		d, _ := doc.(obj)
		for _, st := range list(d["Statement"]) {
			out[where] = append(out[where], st.(obj))
		}
	}
	for id, r := range s.resources() {
		p := props(r)
		if doc, ok := p["PolicyDocument"]; ok {
			add(id, doc)
		}
		for i, pol := range list(p["Policies"]) {
			add(fmt.Sprintf("%s/Policies/%d", id, i), pol.(obj)["PolicyDocument"])
		}
	}
	return out
}

// policyProblems names what an Allow statement grants beyond least privilege: a wildcard anywhere in an
// action, a NotAction or NotResource (allow everything but…), Resource "*" for an action AWS scopes, and a
// wildcard over a table's indexes. Deny statements narrow what is allowed (the buckets' TLS-only "s3:*" deny)
// and are left alone.
func policyProblems(st obj) []string {
	if st["Effect"] != "Allow" {
		return nil
	}
	var bad []string
	actions := strs(st["Action"])
	for _, a := range actions {
		if strings.Contains(a, "*") {
			bad = append(bad, "wildcard action "+a)
		}
	}
	for _, key := range []string{"NotAction", "NotResource"} {
		if _, ok := st[key]; ok {
			bad = append(bad, key)
		}
	}
	for _, r := range list(st["Resource"]) {
		if r == "*" {
			for _, a := range actions {
				if _, ok := resourceStarActions[a]; !ok {
					bad = append(bad, a+` on Resource "*"`)
				}
			}
		}
		if strings.Contains(fmt.Sprint(r), "/index/*") {
			bad = append(bad, "every index of a table")
		}
	}
	return bad
}

func assertNoWildcardActions(t *testing.T, s *synthesized) {
	t.Helper()
	statements := policyStatements(s)
	if len(statements) == 0 {
		t.Fatal("no policies found: the walk is broken")
	}
	ids := make([]string, 0, len(statements))
	for id := range statements {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, st := range statements[id] {
			if bad := policyProblems(st); len(bad) > 0 {
				t.Errorf("%s: %v in %v", id, bad, st)
			}
		}
	}
	// Managed policies are AWS's; only the basic execution role (CloudWatch Logs) is acceptable.
	for id, role := range s.ofType("AWS::IAM::Role") {
		for _, arn := range list(props(role)["ManagedPolicyArns"]) {
			if !strings.Contains(fmt.Sprint(arn), "service-role/AWSLambdaBasicExecutionRole") {
				t.Errorf("role %s has managed policy %v", id, arn)
			}
		}
	}
}

func TestNoWildcardActions(t *testing.T) {
	assertNoWildcardActions(t, local(t))
	assertNoWildcardActions(t, awsStage(t))
}

// The checker itself must catch what it is for, or TestNoWildcardActions proves nothing.
func TestWildcardCheckerCatchesWildcards(t *testing.T) {
	for _, c := range []struct {
		st   obj
		want int
	}{
		{obj{"Effect": "Allow", "Action": "*", "Resource": "arn:x"}, 1},
		{obj{"Effect": "Allow", "Action": arr{"dynamodb:GetItem", "s3:*"}, "Resource": "arn:x"}, 1},
		{obj{"Effect": "Allow", "Action": "s3:Abort*", "Resource": "arn:x"}, 1},
		{obj{"Effect": "Allow", "NotAction": "sqs:SendMessage", "Resource": "arn:x"}, 1},
		{obj{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}, 1},
		{obj{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": obj{"Fn::Join": arr{"", arr{"arn:t", "/index/*"}}}}, 1},
		{obj{"Effect": "Allow", "Action": arr{"dynamodb:ListStreams", "xray:PutTraceSegments"}, "Resource": "*"}, 0},
		{obj{"Effect": "Allow", "Action": arr{"dynamodb:GetItem", "events:PutEvents"}, "Resource": "arn:x"}, 0},
		{obj{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:x"}, 0},
	} {
		if got := policyProblems(c.st); len(got) != c.want {
			t.Errorf("policyProblems(%v) = %v, want %d", c.st, got, c.want)
		}
	}
}

// TestTableGrantsAreConditionedOnKeyPrefixes: every Allow of item actions on a DynamoDB table names the
// partition-key prefixes it may touch (dynamodb:LeadingKeys), and for each function they are exactly the
// prefixes of its store ports.
func TestTableGrantsAreConditionedOnKeyPrefixes(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		tables := map[string]bool{}
		for id := range s.ofType("AWS::DynamoDB::Table") {
			tables[id] = true
		}
		for id, sts := range policyStatements(s) {
			for _, st := range sts {
				if st["Effect"] != "Allow" {
					continue
				}
				for _, r := range list(st["Resource"]) {
					ro, _ := r.(obj)
					att, _ := ro["Fn::GetAtt"].([]any)
					if len(att) != 2 || !tables[att[0].(string)] || att[1] != "Arn" {
						continue // a stream, an index, another resource
					}
					cond, _ := st["Condition"].(obj)["ForAllValues:StringLike"].(obj)
					if len(strs(cond["dynamodb:LeadingKeys"])) == 0 {
						t.Errorf("%s allows %v on table %s for every key", id, st["Action"], att[0])
					}
				}
			}
		}
		for fn, fnID := range functionIDs {
			if _, ok := TablePorts[fn]; !ok {
				continue
			}
			a, err := TableAccess(fn)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, p := range a.Prefixes {
				want = append(want, p+"*")
			}
			got := leadingKeysOf(t, s, s.id(t, "AWS::Lambda::Function", fnID), s.id(t, "AWS::DynamoDB::Table", "Table"))
			if !slices.Equal(got, want) {
				t.Errorf("%s may touch keys %v of the table, its ports %v", fn, got, want)
			}
		}
	}
	if a, _ := TableAccess(FnSweeper); slices.Contains(a.Actions, "dynamodb:PutItem") || len(a.Prefixes) != 1 {
		t.Errorf("the sweeper reads the ledger and the index only: %+v", a)
	}
}

// leadingKeysOf returns the LeadingKeys patterns of the statements of fn's role on the table, sorted.
func leadingKeysOf(t *testing.T, s *synthesized, fn, table string) []string {
	t.Helper()
	role := props(s.resources()[fn])["Role"].(obj)["Fn::GetAtt"].([]any)[0].(string)
	var out []string
	for _, pol := range s.ofType("AWS::IAM::Policy") {
		if !slices.ContainsFunc(list(props(pol)["Roles"]), func(r any) bool { return fmt.Sprint(r) == fmt.Sprint(ref(role)) }) {
			continue
		}
		for _, st := range list(props(pol)["PolicyDocument"].(obj)["Statement"]) {
			st := st.(obj)
			if fmt.Sprint(st["Resource"]) != fmt.Sprint(getAtt(table, "Arn")) {
				continue
			}
			cond, _ := st["Condition"].(obj)["ForAllValues:StringLike"].(obj)
			out = append(out, strs(cond["dynamodb:LeadingKeys"])...)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// TestProviderAPIKeyIsReadByPaymentOnly: in both stages the payment provider's API key is a secret whose value
// Secrets Manager generates (nothing in the template), the payment function is told where it is (its ARN), and
// the one grant on it is secretsmanager:GetSecretValue on exactly that ARN, to the payment function. No other
// statement of the template allows any Secrets Manager action, on that secret or any other.
func TestProviderAPIKeyIsReadByPaymentOnly(t *testing.T) {
	for stage, s := range map[string]*synthesized{StageLocal: local(t), StageAWS: awsStage(t)} {
		secretID := s.id(t, "AWS::SecretsManager::Secret", "ProviderApiKey")
		p := props(s.resources()[secretID])
		gen, _ := p["GenerateSecretString"].(obj)
		if _, literal := p["SecretString"]; literal || gen == nil {
			t.Errorf("%s: the key must be generated by Secrets Manager, not written in the template: %v", stage, p)
		}
		if dp := s.resources()[secretID]["DeletionPolicy"]; dp != "Delete" {
			t.Errorf("%s: the key's DeletionPolicy is %v, want Delete (a new deploy makes a new key)", stage, dp)
		}
		payment := s.id(t, "AWS::Lambda::Function", functionIDs[FnPayment])
		env := props(s.resources()[payment])["Environment"].(obj)["Variables"].(obj)
		if fmt.Sprint(env["PROVIDER_API_KEY_SECRET"]) != fmt.Sprint(ref(secretID)) {
			t.Errorf("%s: PROVIDER_API_KEY_SECRET = %v, want the secret's ARN %v", stage, env["PROVIDER_API_KEY_SECRET"], ref(secretID))
		}
		paymentRole := props(s.resources()[payment])["Role"].(obj)["Fn::GetAtt"].([]any)[0].(string)

		var grants []string
		for id, sts := range policyStatements(s) {
			for _, st := range sts {
				if st["Effect"] != "Allow" {
					continue
				}
				for _, a := range strs(st["Action"]) {
					if !strings.HasPrefix(strings.ToLower(a), "secretsmanager:") {
						continue
					}
					roles := fmt.Sprint(props(s.resources()[id])["Roles"])
					resources := list(st["Resource"])
					if a != "secretsmanager:GetSecretValue" || len(resources) != 1 || fmt.Sprint(resources[0]) != fmt.Sprint(ref(secretID)) ||
						roles != fmt.Sprint(arr{ref(paymentRole)}) {
						t.Errorf("%s: %s allows %s on %v to %s; only payment may GetSecretValue on the key", stage, id, a, st["Resource"], roles)
					}
					grants = append(grants, id+" "+a)
				}
			}
		}
		if len(grants) != 1 {
			t.Errorf("%s: Secrets Manager grants %v, want exactly payment's GetSecretValue", stage, grants)
		}
	}
}

// TestOnlyTheSMSChannelPublishesToAnyPhone: resourceStarActions lets sns:Publish on "*" pass the wildcard check
// for any policy, because a publish to a phone number has no ARN; this holds that exception to the one role that
// sends SMS, so another function cannot gain it unnoticed.
func TestOnlyTheSMSChannelPublishesToAnyPhone(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		smsRole := s.id(t, "AWS::IAM::Role", "NotifySmsFunctionServiceRole")
		found := 0
		for id, r := range s.ofType("AWS::IAM::Policy") {
			doc, _ := props(r)["PolicyDocument"].(obj)
			for _, st := range list(doc["Statement"]) {
				st := st.(obj)
				if st["Effect"] != "Allow" || !slices.Contains(strs(st["Action"]), "sns:Publish") ||
					!slices.Contains(list(st["Resource"]), any("*")) {
					continue
				}
				found++
				roles := list(props(r)["Roles"])
				if len(roles) != 1 || fmt.Sprint(roles[0]) != fmt.Sprint(obj{"Ref": smsRole}) {
					t.Errorf("policy %s allows sns:Publish on \"*\" to %v, want only the SMS channel's role %s", id, roles, smsRole)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d statements allow sns:Publish on \"*\", want 1 (the SMS channel's)", found)
		}
	}
}
