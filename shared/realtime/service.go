package realtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// Role is why a subscriber may watch an order; the push re-checks a courier's right at every frame.
type Role string

// Roles of a subscription.
const (
	RoleCustomer Role = "customer"
	RoleCourier  Role = "courier"
	RoleOps      Role = "ops"
)

// Connection is an open socket of an authenticated user.
type Connection struct {
	ID      string
	Subject string
	Ops     bool
	// Orders the connection subscribed to (so $disconnect can remove its subscriptions).
	Orders      []string
	ConnectedAt time.Time
	ExpiresAt   time.Time
}

// Subscriber is one connection watching one order.
type Subscriber struct {
	ConnectionID string
	OrderID      string
	Subject      string
	Role         Role
	ExpiresAt    time.Time
}

// Connections stores connections and subscriptions (shared/store.Connections).
type Connections interface {
	SaveConnection(ctx context.Context, c Connection) error
	// GetConnection returns domain.ErrNotFound for an unknown (or expired) connection.
	GetConnection(ctx context.Context, id string) (Connection, error)
	// DeleteConnection removes the connection and every subscription it names.
	DeleteConnection(ctx context.Context, c Connection) error
	// Subscribe records s and adds its order to its connection's list; domain.ErrConflict when the connection
	// already watches MaxSubscriptions orders.
	Subscribe(ctx context.Context, s Subscriber) error
	// Subscribers lists the unexpired subscriptions of an order.
	Subscribers(ctx context.Context, orderID string, now time.Time) ([]Subscriber, error)
	Unsubscribe(ctx context.Context, s Subscriber) error
	// NextSeq reserves n sequence numbers of an order and returns the last one.
	NextSeq(ctx context.Context, orderID string, n int) (int64, error)
	// CurrentSeq returns the last sequence number reserved for the order (0 when none).
	CurrentSeq(ctx context.Context, orderID string) (int64, error)
}

// Orders reads what a subscriber is shown.
type Orders interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	GetTracking(ctx context.Context, orderID string) (domain.TrackingPosition, error)
}

// ErrGone is what a Poster returns for a connection that no longer exists (410 GoneException).
var ErrGone = errors.New("connection gone")

// Poster sends a frame to a connection (API Gateway's PostToConnection).
type Poster interface {
	Post(ctx context.Context, connectionID string, data []byte) error
}

// Identity is the caller a verified token names.
type Identity struct {
	Subject   string
	Ops       bool
	ExpiresAt time.Time
}

// Authenticator verifies a token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Identity, error)
}

// ErrUnauthenticated refuses a connect.
var ErrUnauthenticated = errors.New("unauthenticated")

const (
	// ConnectionTTL bounds how long a connection item lives: API Gateway closes every connection after 2 hours,
	// and TTL removes the item of one whose $disconnect was lost. The push also ignores expired items, because
	// DynamoDB deletes expired items lazily.
	ConnectionTTL = 2*time.Hour + 5*time.Minute
	// MaxSubscriptions is how many orders one connection may watch (bounds the connection item and $disconnect).
	MaxSubscriptions = 10
)

// Service is the connection and subscription use case.
type Service struct {
	auth   Authenticator
	conns  Connections
	orders Orders
	now    func() time.Time
}

// NewService wires the service.
func NewService(auth Authenticator, conns Connections, orders Orders, now func() time.Time) *Service {
	return &Service{auth: auth, conns: conns, orders: orders, now: now}
}

// Connect authenticates the token and records the connection. It returns ErrUnauthenticated (wrapped) for any
// token that must be refused.
func (s *Service) Connect(ctx context.Context, connectionID, token string) error {
	who, err := s.auth.Authenticate(ctx, token)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	now := s.now().UTC()
	c := Connection{ID: connectionID, Subject: who.Subject, Ops: who.Ops, ConnectedAt: now, ExpiresAt: now.Add(ConnectionTTL)}
	if err := s.conns.SaveConnection(ctx, c); err != nil {
		return fmt.Errorf("save connection %s: %w", connectionID, err)
	}
	return nil
}

// Disconnect removes the connection and its subscriptions. An unknown connection is not an error ($disconnect
// may come after TTL removed it, or twice).
func (s *Service) Disconnect(ctx context.Context, connectionID string) error {
	c, err := s.conns.GetConnection(ctx, connectionID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.conns.DeleteConnection(ctx, c)
}

// mayWatch returns the role under which subject may watch order, or false. A courier may watch only while the
// order is assigned to them and under way.
func mayWatch(o domain.Order, subject string, ops bool) (Role, bool) {
	switch {
	case ops:
		return RoleOps, true
	case subject == o.CustomerID:
		return RoleCustomer, true
	case courierMayWatch(o, subject):
		return RoleCourier, true
	}
	return "", false
}

// courierMayWatch is the HTTP API's rule (domain.Order.CarriedBy): a courier watches an order while carrying it.
func courierMayWatch(o domain.Order, subject string) bool { return o.CarriedBy(subject) }

// Subscribe lets the connection watch the order and returns the frame that answers it: a subscribed frame with
// the order's status and latest position, or an error frame. An order the caller may not watch and an unknown
// order get the same error frame, so the answer does not tell whether the order exists.
func (s *Service) Subscribe(ctx context.Context, connectionID, orderID string) (Frame, error) {
	if !validOrderID(orderID) {
		return errorFrame("", CodeInvalidRequest, "order_id: must be an order id", "order_id"), nil
	}
	c, err := s.conns.GetConnection(ctx, connectionID)
	if err != nil {
		// $connect stored it; missing means it expired or $disconnect raced: the socket is as good as closed.
		return Frame{}, fmt.Errorf("connection %s: %w", connectionID, err)
	}
	notFound := errorFrame(orderID, CodeNotFound, "no order "+orderID+" you may watch", "order_id")
	// The sequence number is read before the order: a status written between the two reads is then pushed
	// with a higher number than this snapshot's, so the client applies it instead of dropping it.
	seq, err := s.conns.CurrentSeq(ctx, orderID)
	if err != nil {
		return Frame{}, err
	}
	o, err := s.orders.GetOrder(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) {
		return notFound, nil
	}
	if err != nil {
		return Frame{}, err
	}
	role, ok := mayWatch(o, c.Subject, c.Ops)
	if !ok {
		return notFound, nil
	}
	if err := s.conns.Subscribe(ctx, Subscriber{
		ConnectionID: c.ID, OrderID: o.ID, Subject: c.Subject, Role: role, ExpiresAt: c.ExpiresAt,
	}); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return errorFrame(orderID, CodeInvalidRequest, fmt.Sprintf("a connection may watch at most %d orders", MaxSubscriptions), "order_id"), nil
		}
		return Frame{}, err
	}
	f := Frame{Type: FrameSubscribed, OrderID: o.ID, Seq: seq, Status: o.Status}
	pos, err := s.orders.GetTracking(ctx, o.ID)
	switch {
	case err == nil:
		f.Position = positionOf(pos)
	case !errors.Is(err, domain.ErrNotFound):
		return Frame{}, err
	}
	logging.From(ctx).Info("subscribed", "order_id", o.ID, "role", string(role),
		"trace_id", tracecontext.OrderTraceID(o.TraceParent, o.ID))
	return f, nil
}

// validOrderID bounds what is used as a key: printable ASCII without '#' (the key separator), 1-64 characters.
func validOrderID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '#' {
			return false
		}
	}
	return true
}
