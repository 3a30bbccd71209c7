package platform

import (
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"time"
)

// MustEnv returns a required environment variable or stops the cold start
// with a message naming it: a misconfigured function should fail loudly at
// init, not on the first request.
func MustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		panic(fmt.Sprintf("environment variable %s is required", name))
	}
	return v
}

// NewID returns a random RFC 4122 version 4 UUID.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// EnvInt returns an integer environment variable, or def when it is unset.
// A malformed value stops the cold start, like a missing MustEnv.
func EnvInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("environment variable %s=%q is not an integer", name, v))
	}
	return n
}

// EnvMillis returns a duration given in milliseconds (NAME_MS=800), or def
// when it is unset.
func EnvMillis(name string, def time.Duration) time.Duration {
	if os.Getenv(name) == "" {
		return def
	}
	return time.Duration(EnvInt(name, 0)) * time.Millisecond
}
