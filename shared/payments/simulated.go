package payments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
)

// SimulatedProvider stands in for a card processor. In this slice it approves
// every charge; its reference is derived from the idempotency key, as a real
// provider's would be stable for one key.
type SimulatedProvider struct{}

// Charge implements Provider.
func (SimulatedProvider) Charge(_ context.Context, req ChargeRequest) (ChargeResult, error) {
	sum := sha256.Sum256([]byte(req.IdempotencyKey))
	return ChargeResult{Approved: true, Reference: "sim_" + hex.EncodeToString(sum[:8])}, nil
}
