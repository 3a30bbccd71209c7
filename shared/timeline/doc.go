// Package timeline reconstructs one order's life from what the stack recorded: the order's versions (the
// table's stream, else the current item), every event published about it, the notifications, the payment
// ledger, the courier's assignment and the log lines of every function that touched it, in time order. It is
// what `make timeline ORDER=<id>` prints (scripts/timeline), kept in a package so an ops API can serve the
// same view.
package timeline
