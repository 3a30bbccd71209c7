// Package domain holds the food-delivery business rules: orders and their
// lifecycle, server-side pricing, couriers and the geometry used to find the
// nearest one. It imports nothing from AWS so every rule can be unit tested
// without an emulator, and the adapters in package store translate it to and
// from DynamoDB items.
package domain
