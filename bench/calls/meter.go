package main

import (
	"context"
	"reflect"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// capacityMeter asks DynamoDB for the capacity units of every call
// (ReturnConsumedCapacity=TOTAL: table plus indexes) and sums what it reports,
// split into read and write request units by operation. bench/cost prices
// them as on-demand RRU and WRU.
type capacityMeter struct {
	mu          sync.Mutex
	read, write float64
	reported    int // calls that answered with a ConsumedCapacity
	calls       int
}

type capacity struct{ read, write float64 }

// take returns the units since the last take.
func (m *capacityMeter) take() capacity {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := capacity{m.read, m.write}
	m.read, m.write = 0, 0
	return c
}

// with returns cfg whose DynamoDB calls are metered.
func (m *capacityMeter) with(cfg aws.Config) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("BenchCapacityMeter", m.handle), middleware.After)
	})
	return cfg
}

func (m *capacityMeter) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	if middleware.GetServiceID(ctx) != "DynamoDB" {
		return next.HandleInitialize(ctx, in)
	}
	if f := field(in.Parameters, "ReturnConsumedCapacity"); f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(types.ReturnConsumedCapacityTotal))
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	var units float64
	reported := false
	switch c := field(out.Result, "ConsumedCapacity"); {
	case !c.IsValid():
	case c.Kind() == reflect.Slice:
		for i := range c.Len() {
			if cc, ok := c.Index(i).Interface().(types.ConsumedCapacity); ok {
				units += aws.ToFloat64(cc.CapacityUnits)
				reported = true
			}
		}
	default:
		if cc, ok := c.Interface().(*types.ConsumedCapacity); ok && cc != nil {
			units += aws.ToFloat64(cc.CapacityUnits)
			reported = true
		}
	}
	op := middleware.GetOperationName(ctx)
	m.mu.Lock()
	m.calls++
	if reported {
		m.reported++
	}
	switch op {
	case "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems":
		m.read += units
	default:
		m.write += units
	}
	m.mu.Unlock()
	return out, md, err
}

// field is the named field of the struct v points to, or the zero Value.
func field(v any, name string) reflect.Value {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return rv.Elem().FieldByName(name)
}
