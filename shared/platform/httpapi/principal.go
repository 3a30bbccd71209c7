package httpapi

import (
	"encoding/json"
	"strings"
)

// Cognito groups that grant roles.
const (
	GroupCustomer = "customer"
	GroupCourier  = "courier"
	GroupOps      = "ops"
)

// Principal is the authenticated caller.
type Principal struct {
	Subject  string
	Username string
	Groups   []string
	// GivenName is the token's given_name claim, empty when the account has
	// none; the courier of an order is shown it instead of the customer's id.
	GivenName string
	// Email is the token's email claim, "" when the user has none: the default
	// address of the customer's notifications.
	Email string
}

// InGroup reports membership of a Cognito group.
func (p Principal) InGroup(group string) bool {
	for _, g := range p.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// IsCustomer reports whether the caller may order food. Members of the
// customer group may; so may a signed-in user in no role group, which is what
// self sign-up creates (couriers and ops are added to their groups by an
// admin, and the seed puts demo customers in the customer group).
func (p Principal) IsCustomer() bool {
	return p.InGroup(GroupCustomer) || (!p.InGroup(GroupCourier) && !p.InGroup(GroupOps))
}

// Principal returns the caller identified by the JWT authorizer, or false when
// the route is public or the claims lack a subject.
func (r Request) Principal() (Principal, bool) {
	if r.RequestContext.Authorizer == nil {
		return Principal{}, false
	}
	claims := r.RequestContext.Authorizer.JWT.Claims
	p := Principal{
		Subject:   claimString(claims["sub"]),
		Username:  claimString(claims["cognito:username"]),
		Groups:    claimList(claims["cognito:groups"]),
		GivenName: claimString(claims["given_name"]),
		Email:     claimString(claims["email"]),
	}
	if p.Username == "" {
		p.Username = claimString(claims["username"])
	}
	return p, p.Subject != ""
}

// claimString reads a claim that may be a JSON string or any other JSON value.
func claimString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// claimList reads a list claim in any of the shapes API Gateway implementations
// send: a JSON array (emulator), the string "[a b]" (AWS), or a bare or
// comma-separated string.
func claimList(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list
	}
	s := claimString(raw)
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "["), "]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}
