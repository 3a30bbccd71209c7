package orders_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
)

// ValidIdempotencyKey is a loop standing in for a regexp (cold start); it must
// agree with the pattern openapi.yaml documents on every string.
func TestValidIdempotencyKeyAgreesWithThePattern(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := "aZ09_-. é\x00/"
	cases := []string{"", "1234567", "12345678", strings.Repeat("a", 64), strings.Repeat("a", 65), "abcdefg\n", "abc defgh"}
	for i := 0; i < 20000; i++ {
		var b []byte
		for n := r.IntN(70); n > 0; n-- {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if orders.ValidIdempotencyKey(c) != pattern.MatchString(c) {
			t.Fatalf("%q: loop says %v, pattern %v", c, orders.ValidIdempotencyKey(c), pattern.MatchString(c))
		}
	}
}
