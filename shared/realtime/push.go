package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// Change is one thing subscribers of an order are told: a status change or an accepted courier position.
type Change struct {
	OrderID string
	// Frame without its sequence number, which Push assigns.
	Frame Frame
	// forCourier decides what a courier subscriber gets: send the frame, and/or drop the subscription because
	// the courier's access ended.
	forCourier func(subject string) (send, drop bool)
}

// StatusChange is the change of an order from before (zero for a new order) to after.
func StatusChange(before, after domain.Order) Change {
	at := after.UpdatedAt.UTC()
	return Change{
		OrderID: after.ID,
		Frame:   Frame{Type: FrameStatus, OrderID: after.ID, Status: after.Status, At: &at},
		forCourier: func(subject string) (bool, bool) {
			if courierMayWatch(after, subject) {
				return true, false
			}
			// The change that ends a courier's access (delivered, cancelled, reassigned) is the last thing
			// they are told; a courier who never had access gets nothing.
			return courierMayWatch(before, subject), true
		},
	}
}

// PositionChange is a courier position accepted for an order.
func PositionChange(p domain.TrackingPosition) Change {
	return Change{
		OrderID: p.OrderID,
		Frame:   Frame{Type: FramePosition, OrderID: p.OrderID, Position: positionOf(p)},
		forCourier: func(subject string) (bool, bool) {
			mine := subject == p.CourierID
			return mine, !mine
		},
	}
}

// Pusher sends changes to subscribers.
type Pusher struct {
	conns  Connections
	poster Poster
	now    func() time.Time
}

// NewPusher wires the pusher.
func NewPusher(conns Connections, poster Poster, now func() time.Time) *Pusher {
	return &Pusher{conns: conns, poster: poster, now: now}
}

// PushResult counts what one Push did (for the log and the tests).
type PushResult struct {
	Frames, Posts, Gone, Failed int
}

// Push sends each change to the subscribers of its order, in the order given. Changes of one order get
// consecutive sequence numbers. An order nobody watches costs one query and no sequence number. It returns, per
// order that could not be handled, the index of its first change, so the caller retries from there; a post that
// fails is logged and not retried (the next frame carries the whole state again: status, latest position).
func (p *Pusher) Push(ctx context.Context, changes []Change) (PushResult, map[int]error) {
	var res PushResult
	failed := map[int]error{}
	order := []string{}
	byOrder := map[string][]int{}
	for i, c := range changes {
		if _, ok := byOrder[c.OrderID]; !ok {
			order = append(order, c.OrderID)
		}
		byOrder[c.OrderID] = append(byOrder[c.OrderID], i)
	}
	for _, id := range order {
		idx := byOrder[id]
		if err := p.pushOrder(ctx, id, changes, idx, &res); err != nil {
			failed[idx[0]] = fmt.Errorf("push order %s: %w", id, err)
		}
	}
	return res, failed
}

func (p *Pusher) pushOrder(ctx context.Context, orderID string, changes []Change, idx []int, res *PushResult) error {
	subs, err := p.conns.Subscribers(ctx, orderID, p.now())
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return nil
	}
	last, err := p.conns.NextSeq(ctx, orderID, len(idx))
	if err != nil {
		return err
	}
	seq := last - int64(len(idx))
	dropped := map[string]bool{}
	for _, i := range idx {
		seq++
		f := changes[i].Frame
		f.Seq = seq
		data, err := json.Marshal(f)
		if err != nil {
			return err
		}
		res.Frames++
		for _, s := range subs {
			if dropped[s.ConnectionID] {
				continue
			}
			send := true
			if s.Role == RoleCourier && changes[i].forCourier != nil {
				var drop bool
				send, drop = changes[i].forCourier(s.Subject)
				if drop {
					dropped[s.ConnectionID] = true
					if err := p.conns.Unsubscribe(ctx, s); err != nil {
						logging.From(ctx).Warn("unsubscribe courier", "order_id", orderID, "error", err.Error())
					}
				}
			}
			if !send {
				continue
			}
			err := p.poster.Post(ctx, s.ConnectionID, data)
			switch {
			case err == nil:
				res.Posts++
			case errors.Is(err, ErrGone):
				res.Gone++
				dropped[s.ConnectionID] = true
				p.dropGone(ctx, s)
			default:
				res.Failed++
				logging.From(ctx).Warn("post frame", "order_id", orderID, "seq", seq, "error", err.Error())
			}
		}
	}
	return nil
}

// dropGone removes a connection API Gateway says is gone (its $disconnect was lost or is still on its way), with
// all its subscriptions; if its item is already gone, at least this subscription.
func (p *Pusher) dropGone(ctx context.Context, s Subscriber) {
	log := logging.From(ctx)
	c, err := p.conns.GetConnection(ctx, s.ConnectionID)
	if err == nil {
		err = p.conns.DeleteConnection(ctx, c)
	} else if errors.Is(err, domain.ErrNotFound) {
		err = p.conns.Unsubscribe(ctx, s)
	}
	if err != nil {
		log.Warn("remove gone connection", "order_id", s.OrderID, "error", err.Error())
		return
	}
	log.Info("removed gone connection", "order_id", s.OrderID)
}
