package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// The diagram is derived from the CloudFormation template only, so it shows what is deployed, not what a
// comment says: API routes → functions (ApiGatewayV2 routes and integrations), functions → tables, buckets and
// buses (the resources their IAM policies name), table stream and queues → functions (event source mappings),
// bus → rules → queues (rule targets and their detail-types), queues → DLQs (redrive policies), and schedules →
// functions.

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

type template struct {
	Resources map[string]resource `json:"Resources"`
}

// hashSuffix is the 8 hex digits CDK appends to a construct's logical ID.
var hashSuffix = regexp.MustCompile(`[0-9A-F]{8}$`)

// name is a logical ID without its hash: "PaymentQueue638550D9" → "PaymentQueue".
func name(logicalID string) string { return hashSuffix.ReplaceAllString(logicalID, "") }

// functionLabel is the folder under functions/ of a function: "DeliveryAssignmentFunction45CD513C" →
// "delivery-assignment" (infra names each function <CamelCaseFolder>Function).
func functionLabel(logicalID string) string {
	n := strings.TrimSuffix(name(logicalID), "Function")
	var b strings.Builder
	for i, r := range n {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

// refs lists the logical IDs a CloudFormation value refers to (Ref, Fn::GetAtt), in order, anywhere inside it.
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Ref"].(string); ok && !strings.HasPrefix(r, "AWS::") {
				out = append(out, r)
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
				if id, ok := ga[0].(string); ok {
					out = append(out, id)
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k != "Ref" && k != "Fn::GetAtt" {
					walk(x[k])
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func strs(v any) []string {
	var out []string
	if a, ok := v.([]any); ok {
		for _, e := range a {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// graph collects nodes and edges; both print sorted, so the same template always gives the same text.
type graph struct {
	nodes map[string]string // id → Mermaid node declaration
	edges map[string]bool   // Mermaid edge lines
	apis  map[string][]string
}

func (g *graph) node(id, decl string) string {
	g.nodes[id] = decl
	return id
}

func (g *graph) edge(from, label, to string) {
	if label == "" {
		g.edges[fmt.Sprintf("  %s --> %s", from, to)] = true
		return
	}
	g.edges[fmt.Sprintf("  %s -- %q --> %s", from, label, to)] = true
}

// Mermaid turns a synthesized template (JSON) into a Mermaid flowchart.
func Mermaid(templateJSON []byte) (string, error) {
	var t template
	if err := json.Unmarshal(templateJSON, &t); err != nil {
		return "", fmt.Errorf("parse template: %w", err)
	}
	g := &graph{nodes: map[string]string{}, edges: map[string]bool{}, apis: map[string][]string{}}
	typeOf := func(id string) string { return t.Resources[id].Type }

	// Node declarations by resource type; nil when the type is not drawn.
	nodeFor := func(id string) (string, bool) {
		switch typeOf(id) {
		case "AWS::Lambda::Function":
			return g.node("fn_"+name(id), fmt.Sprintf("  fn_%s(%q)", name(id), "λ "+functionLabel(id))), true
		case "AWS::DynamoDB::Table":
			return g.node(name(id), fmt.Sprintf("  %s[(%q)]", name(id), "DynamoDB "+name(id))), true
		case "AWS::S3::Bucket":
			return g.node(name(id), fmt.Sprintf("  %s[(%q)]", name(id), "S3 "+name(id))), true
		case "AWS::Events::EventBus":
			return g.node(name(id), fmt.Sprintf("  %s{{%q}}", name(id), "EventBridge "+name(id))), true
		case "AWS::SQS::Queue":
			return g.node(name(id), fmt.Sprintf("  %s[[%q]]", name(id), "SQS "+name(id))), true
		}
		return "", false
	}

	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	accessOf := map[[2]string][3]bool{} // (function, resource) → reads, writes, puts events

	// Which function runs with which role, for the IAM policies.
	fnOfRole := map[string]string{}
	for _, id := range ids {
		r := t.Resources[id]
		if r.Type == "AWS::Lambda::Function" {
			nodeFor(id)
			for _, role := range refs(r.Properties["Role"]) {
				fnOfRole[role] = id
			}
		}
	}

	for _, id := range ids {
		r := t.Resources[id]
		p := r.Properties
		switch r.Type {
		case "AWS::ApiGatewayV2::Route":
			integ := refs(p["Target"])
			if len(integ) == 0 {
				continue
			}
			fns := refs(t.Resources[integ[0]].Properties["IntegrationUri"])
			if len(fns) == 0 {
				continue
			}
			api := refs(p["ApiId"])
			key := strings.Join(api, "") + "|" + fns[0]
			route, _ := p["RouteKey"].(string)
			if a, _ := p["AuthorizationType"].(string); a != "" && a != "NONE" {
				route += " 🔒"
			}
			g.apis[key] = append(g.apis[key], route)

		case "AWS::Lambda::EventSourceMapping":
			fns := refs(p["FunctionName"])
			src := refs(p["EventSourceArn"])
			if len(fns) == 0 || len(src) == 0 {
				continue
			}
			from, ok := nodeFor(src[0])
			to, _ := nodeFor(fns[0])
			if !ok {
				continue
			}
			label := ""
			if arn, _ := p["EventSourceArn"].(map[string]any); arn != nil {
				if ga, _ := arn["Fn::GetAtt"].([]any); len(ga) == 2 && ga[1] == "StreamArn" {
					label = "stream"
					if p["FilterCriteria"] != nil {
						label += ", filtered"
					}
				}
			}
			if b, ok := p["BatchSize"].(float64); ok {
				label = strings.TrimPrefix(fmt.Sprintf("%s, batch %d", label, int(b)), ", ")
			}
			g.edge(from, label, to)
			if dc, ok := p["DestinationConfig"]; ok {
				for _, d := range refs(dc) {
					if dlq, ok := nodeFor(d); ok {
						g.edge(from, "records that keep failing", dlq)
					}
				}
			}

		case "AWS::SQS::Queue":
			q, _ := nodeFor(id)
			for _, d := range refs(p["RedrivePolicy"]) {
				if dlq, ok := nodeFor(d); ok {
					g.edge(q, "after maxReceiveCount", dlq)
				}
			}

		case "AWS::Events::Rule":
			rule := "rule_" + name(id)
			label := name(id)
			if s, ok := p["ScheduleExpression"].(string); ok {
				g.node(rule, fmt.Sprintf("  %s([%q])", rule, "schedule "+s))
			} else {
				if pat, ok := p["EventPattern"].(map[string]any); ok {
					if dt := strs(pat["detail-type"]); len(dt) > 0 {
						label += ": " + strings.Join(dt, ", ")
					}
				}
				g.node(rule, fmt.Sprintf("  %s>%q]", rule, label))
				bus := refs(p["EventBusName"])
				if len(bus) > 0 {
					if b, ok := nodeFor(bus[0]); ok {
						g.edge(b, "", rule)
					}
				}
			}
			targets, _ := p["Targets"].([]any)
			for _, tg := range targets {
				tm, _ := tg.(map[string]any)
				for _, d := range refs(tm["Arn"]) {
					if to, ok := nodeFor(d); ok {
						g.edge(rule, "", to)
					}
				}
			}

		case "AWS::IAM::Policy":
			for _, role := range refs(p["Roles"]) {
				fn, ok := fnOfRole[role]
				if !ok {
					continue
				}
				doc, _ := p["PolicyDocument"].(map[string]any)
				stmts, _ := doc["Statement"].([]any)
				for _, s := range stmts {
					sm, _ := s.(map[string]any)
					reads, writes, puts := access(sm["Action"])
					for _, res := range refs(sm["Resource"]) {
						switch typeOf(res) {
						case "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Events::EventBus":
							a := accessOf[[2]string{fn, res}]
							a[0], a[1], a[2] = a[0] || reads, a[1] || writes, a[2] || puts
							accessOf[[2]string{fn, res}] = a
						}
					}
				}
			}
		}
	}
	for pair, a := range accessOf {
		var verbs []string
		for i, v := range []string{"reads", "writes", "PutEvents"} {
			if a[i] {
				verbs = append(verbs, v)
			}
		}
		if len(verbs) > 0 {
			from, _ := nodeFor(pair[0])
			to, _ := nodeFor(pair[1])
			g.edge(from, strings.Join(verbs, ", "), to)
		}
	}

	keys := make([]string, 0, len(g.apis))
	for k := range g.apis {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for i, k := range keys {
		apiID, fn, _ := strings.Cut(k, "|")
		routes := g.apis[k]
		sort.Strings(routes)
		kind := "API"
		if pt, _ := t.Resources[apiID].Properties["ProtocolType"].(string); pt != "" {
			kind = pt + " API"
		}
		id := fmt.Sprintf("routes%d", i+1)
		g.node(id, fmt.Sprintf("  %s[%q]", id, kind+" "+name(apiID)+"<br/>"+strings.Join(routes, "<br/>")))
		to, _ := nodeFor(fn)
		g.edge(id, "", to)
	}
	nodeIDs := make([]string, 0, len(g.nodes))
	for id := range g.nodes {
		nodeIDs = append(nodeIDs, id)
	}
	sort.Strings(nodeIDs)
	for _, id := range nodeIDs {
		b.WriteString(g.nodes[id] + "\n")
	}
	edges := make([]string, 0, len(g.edges))
	for e := range g.edges {
		edges = append(edges, e)
	}
	sort.Strings(edges)
	for _, e := range edges {
		b.WriteString(e + "\n")
	}
	return b.String(), nil
}

// access classifies a statement's actions on data: whether they read it, change it, or put events on a bus.
// Actions that are not data access (consuming a queue, which the event source mapping draws, reading a table's
// stream, which the stream edge draws) count as neither.
func access(actions any) (reads, writes, puts bool) {
	list := strs(actions)
	if s, ok := actions.(string); ok {
		list = []string{s}
	}
	for _, a := range list {
		service, op, _ := strings.Cut(a, ":")
		switch service {
		case "events":
			puts = puts || op == "PutEvents"
		case "dynamodb", "s3":
			switch {
			case op == "GetRecords" || op == "GetShardIterator" || op == "DescribeStream" || op == "ListStreams":
			case strings.HasPrefix(op, "Put"), strings.HasPrefix(op, "Update"), strings.HasPrefix(op, "Delete"),
				strings.HasPrefix(op, "BatchWrite"), strings.HasPrefix(op, "Abort"):
				writes = true
			case strings.HasPrefix(op, "Get"), strings.HasPrefix(op, "Query"), strings.HasPrefix(op, "Scan"),
				strings.HasPrefix(op, "BatchGet"), strings.HasPrefix(op, "List"), op == "ConditionCheckItem":
				reads = true
			}
		}
	}
	return reads, writes, puts
}
