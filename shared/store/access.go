package store

import (
	"fmt"
	"reflect"
	"slices"
)

// Access is what a Table method does to the table, for least-privilege IAM: the DynamoDB actions it calls on
// the table's items (a transaction is authorised per item, as PutItem or UpdateItem), the partition-key
// prefixes those touch (the policy's dynamodb:LeadingKeys condition) and the indexes it queries (Query on
// the index, granted apart: an index's partition key is not the table's). infra builds each
// function's policy from the methods of the ports the function is wired with (AccessFor); access_test.go
// calls every method against a recording client and fails when a method does anything its entry does not
// list, or its entry lists anything the method never does.
type Access struct {
	Actions  []string
	Prefixes []string
	Indexes  []string
}

// Index names, for the policies' index ARNs.
const (
	IndexGSI1 = gsi1
	IndexGSI2 = gsi2
)

const (
	getItem    = "dynamodb:GetItem"
	putItem    = "dynamodb:PutItem"
	updateItem = "dynamodb:UpdateItem"
	query      = "dynamodb:Query"
	batchWrite = "dynamodb:BatchWriteItem"
)

// MethodAccess is the access of every Table method a port may name.
var MethodAccess = map[string]Access{
	// catalogue
	"ListRestaurants": {Indexes: []string{gsi1}},
	"GetMenu":         {Actions: []string{query}, Prefixes: []string{restaurantPrefix}},
	"PutMenu":         {Actions: []string{batchWrite}, Prefixes: []string{restaurantPrefix}}, // the seed's, no function's
	// orders
	"CreateOrder":        {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"CreateOrderOnce":    {Actions: []string{putItem, getItem}, Prefixes: []string{orderPrefix, idempotencyPrefix}},
	"GetOrder":           {Actions: []string{getItem}, Prefixes: []string{orderPrefix}},
	"UpdateOrder":        {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"ListCustomerOrders": {Indexes: []string{gsi1}},
	"HomeFeed":           {Indexes: []string{gsi1}},
	// a customer's notification is put beside its order and counted unread (CUSTOMER#<sub> / UNREAD) in one transaction
	"RecordNotification": {Actions: []string{putItem, updateItem}, Prefixes: []string{orderPrefix, customerPrefix}},
	"ListNotifications":  {Actions: []string{query}, Prefixes: []string{orderPrefix}},
	"SaveTracking":       {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"GetTracking":        {Actions: []string{getItem}, Prefixes: []string{orderPrefix}},
	// couriers
	"GetCourier":        {Actions: []string{getItem}, Prefixes: []string{courierPrefix}},
	"CreateCourier":     {Actions: []string{putItem, getItem}, Prefixes: []string{courierPrefix}}, // the seed's
	"AvailableCouriers": {Indexes: []string{gsi2}},
	"AssignCourier":     {Actions: []string{putItem, updateItem}, Prefixes: []string{orderPrefix, courierPrefix}},
	"ReleaseCourier":    {Actions: []string{getItem, putItem, updateItem}, Prefixes: []string{orderPrefix, courierPrefix}},
	"MoveCourier":       {Actions: []string{updateItem}, Prefixes: []string{courierPrefix}},
	// the payment ledger
	"BeginCharge":   {Actions: []string{putItem, getItem}, Prefixes: []string{orderPrefix}},
	"SettleCharge":  {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"ResolveCharge": {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"GetCharge":     {Actions: []string{getItem}, Prefixes: []string{orderPrefix}},
	"BeginRefund":   {Actions: []string{putItem, getItem}, Prefixes: []string{orderPrefix}},
	"SettleRefund":  {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"GetRefund":     {Actions: []string{getItem}, Prefixes: []string{orderPrefix}},
	// the saga's waiting room and the consumers' failure records
	"ListAwaiting":  {Indexes: []string{gsi2}},
	"RecordFailure": {Actions: []string{putItem}, Prefixes: []string{failurePrefix}},
	"GetFailure":    {Actions: []string{getItem}, Prefixes: []string{failurePrefix}},
	// notifications: one delivery per (event, channel) beside the order, the customer's preferences, the inbox
	// across orders (GSI1 INBOX#), its unread index (GSI2 UNREAD#) and unread counter (CUSTOMER#<sub> / UNREAD)
	"ClaimDelivery":  {Actions: []string{putItem, getItem}, Prefixes: []string{orderPrefix}},
	"FinishDelivery": {Actions: []string{putItem}, Prefixes: []string{orderPrefix}},
	"ListDeliveries": {Actions: []string{query}, Prefixes: []string{orderPrefix}},
	"GetPreferences": {Actions: []string{getItem}, Prefixes: []string{customerPrefix}},
	"PutPreferences": {Actions: []string{putItem}, Prefixes: []string{customerPrefix}},
	"ListInbox":      {Indexes: []string{gsi1}},
	"CountUnread":    {Actions: []string{getItem}, Prefixes: []string{customerPrefix}},
	"MarkRead":       {Actions: []string{updateItem}, Prefixes: []string{orderPrefix, customerPrefix}, Indexes: []string{gsi2}},
	"CountAwaiting":  {Indexes: []string{gsi2}},
	// an order's whole partition, for its timeline (the ops API)
	"QueryOrderPartition": {Actions: []string{query}, Prefixes: []string{orderPrefix}},
	// live tracking: connections (CONN#) and the orders' subscriptions and push sequence (under ORDER#)
	"SaveConnection":   {Actions: []string{putItem}, Prefixes: []string{connectionPrefix}},
	"GetConnection":    {Actions: []string{getItem}, Prefixes: []string{connectionPrefix}},
	"DeleteConnection": {Actions: []string{batchWrite}, Prefixes: []string{connectionPrefix, orderPrefix}},
	"Subscribe":        {Actions: []string{updateItem, putItem}, Prefixes: []string{connectionPrefix, orderPrefix}},
	"Subscribers":      {Actions: []string{query}, Prefixes: []string{orderPrefix}},
	"Unsubscribe":      {Actions: []string{batchWrite}, Prefixes: []string{orderPrefix}},
	"NextSeq":          {Actions: []string{updateItem}, Prefixes: []string{orderPrefix}},
	"CurrentSeq":       {Actions: []string{getItem}, Prefixes: []string{orderPrefix}},
}

// AccessFor is the union of the access of every method of the given port interfaces (nil pointers to
// them: (*orders.Store)(nil)), sorted. It fails on a method MethodAccess does not know, so a port that
// grows a method cannot deploy without its permission being decided.
func AccessFor(ports ...any) (Access, error) {
	var out Access
	for _, p := range ports {
		typ := reflect.TypeOf(p)
		if typ == nil || typ.Kind() != reflect.Pointer || typ.Elem().Kind() != reflect.Interface {
			return Access{}, fmt.Errorf("AccessFor(%T): want a nil pointer to a port interface", p)
		}
		it := typ.Elem()
		for i := range it.NumMethod() {
			name := it.Method(i).Name
			a, ok := MethodAccess[name]
			if !ok {
				return Access{}, fmt.Errorf("%s.%s: no entry in store.MethodAccess", it, name)
			}
			out.Actions = append(out.Actions, a.Actions...)
			out.Prefixes = append(out.Prefixes, a.Prefixes...)
			out.Indexes = append(out.Indexes, a.Indexes...)
		}
	}
	for _, s := range []*[]string{&out.Actions, &out.Prefixes, &out.Indexes} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	return out, nil
}
