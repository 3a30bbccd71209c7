package domain

import "time"

// The delivery-time estimate's assumptions: couriers ride bicycles and scooters through town at about 15 km/h
// door to door, on streets about 1.3 times as long as the straight line, and lose about 3 minutes at the
// restaurant's counter. Good enough to tell a customer "around 12:40"; nothing is billed on it.
const (
	CourierSpeedKmh = 15
	RouteFactor     = 1.3
	PickupHandover  = 3 * time.Minute
)

// EstimateDelivery is when an order whose courier is at courier at time from should reach the customer: the
// ride to the pickup, the handover, and the ride to the drop-off, from the straight-line distances.
func EstimateDelivery(courier, pickup, dropoff LatLng, from time.Time) time.Time {
	meters := (DistanceMeters(courier, pickup) + DistanceMeters(pickup, dropoff)) * RouteFactor
	ride := time.Duration(meters / (CourierSpeedKmh / 3.6) * float64(time.Second))
	return from.Add(ride + PickupHandover).UTC().Truncate(time.Second)
}
