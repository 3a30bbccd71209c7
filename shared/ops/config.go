package ops

import (
	"strings"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

// The ops-api function's environment variables.
const (
	EnvLogGroups       = "LOG_GROUPS"        // the app's log groups, comma-separated (timelines)
	EnvSweeperLogGroup = "SWEEPER_LOG_GROUP" // the sweeper's (its reports)
)

// ConsumerQueues are the queues the console shows and redrives, each with its DLQ: Name is the console's (and
// dlq.QueuesOf's), EnvPrefix names the variables PREFIX_QUEUE_URL and PREFIX_DLQ_URL. The stream's DLQ, which has
// no source queue, is STREAM_DLQ_URL.
var ConsumerQueues = []struct{ Name, EnvPrefix string }{
	{"payment", "PAYMENT"}, {"assignment", "ASSIGNMENT"}, {"notification", "NOTIFICATION"},
	{"email", "NOTIFY_EMAIL"}, {"sms", "NOTIFY_SMS"},
}

// EnvStreamDLQURL is the stream's DLQ.
const EnvStreamDLQURL = "STREAM_DLQ_URL"

// EnvQueueURL and EnvDLQURL name a consumer queue's variables.
func EnvQueueURL(prefix string) string { return prefix + "_QUEUE_URL" }

// EnvDLQURL: see EnvQueueURL.
func EnvDLQURL(prefix string) string { return prefix + "_DLQ_URL" }

// Config is the ops-api function's configuration (functions/ops-api).
type Config struct {
	TableName       string
	LogGroups       []string
	SweeperLogGroup string
	// Queues are ConsumerQueues, then the stream's DLQ.
	Queues []dlq.Queue
}

// ConfigFromEnv reads the ops-api function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{
		TableName:       env.Required(platform.EnvTableName),
		LogGroups:       strings.Split(env.Required(EnvLogGroups), ","),
		SweeperLogGroup: env.Required(EnvSweeperLogGroup),
	}
	for _, q := range ConsumerQueues {
		c.Queues = append(c.Queues, dlq.Queue{Name: q.Name, DLQURL: env.Required(EnvDLQURL(q.EnvPrefix)),
			SourceURL: env.Required(EnvQueueURL(q.EnvPrefix))})
	}
	c.Queues = append(c.Queues, dlq.Queue{Name: "stream", DLQURL: env.Required(EnvStreamDLQURL)})
	return c, env.Err()
}
