package memstore_test

import (
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/storetest"
)

// The in-memory store keeps the store contract the DynamoDB table keeps on the emulator
// (tests/store_contract_test.go): the unit tests of the use cases rely on it behaving like DynamoDB.
func TestMemoryStoreKeepsTheStoreContract(t *testing.T) {
	storetest.Run(t, memstore.New(), "unit")
}
