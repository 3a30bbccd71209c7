package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ReceiptsAccessLogPrefix is where S3 writes the receipts bucket's server access log in its log bucket.
const ReceiptsAccessLogPrefix = "receipts-bucket/"

// AccessLogDays is how long the receipts bucket's access log is kept: long enough to answer "who read this
// receipt" for a dispute or an incident of last quarter.
const AccessLogDays = 90

type data struct {
	table  awsdynamodb.Table
	bucket awss3.Bucket
	// accessLogs receives the receipts bucket's S3 server access log: who read, wrote or listed which receipt.
	accessLogs awss3.Bucket
	// providerTable is the simulated payment provider's own books (shared/payments/simprovider): a separate
	// table, because they are the provider's records, not ours, and tests count the money that moved from them.
	// A real provider replaces it.
	providerTable awsdynamodb.Table
	// providerKey is the provider's API key (secrets.go).
	providerKey awssecretsmanager.Secret
}

func newData(scope constructs.Construct, cfg stageConfig) *data {
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}

	// The classic Table (AWS::DynamoDB::Table), not TableV2: the emulator deploys the former, and the
	// app runs in one region.
	tableProps := &awsdynamodb.TableProps{
		PartitionKey: str("PK"),
		SortKey:      str("SK"),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST, // idle cost zero
		// The stream is the outbox: the publisher needs the old image to see status changes.
		Stream:              awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		TimeToLiveAttribute: jsii.String("expires_at"), // location pings and idempotency records expire
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy:       cfg.removal,
	}
	if cfg.isAWS {
		tableProps.PointInTimeRecoverySpecification = &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		}
	}
	table := awsdynamodb.NewTable(scope, jsii.String("Table"), tableProps)
	// GSI1: restaurants by name, a customer's orders by time. GSI2 (sparse): free couriers by geohash cell.
	for _, gsi := range []string{"GSI1", "GSI2"} {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(gsi),
			PartitionKey:   str(gsi + "PK"),
			SortKey:        str(gsi + "SK"),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}

	// The receipts bucket's server access log goes to a bucket of its own (a bucket logging into itself would
	// log its own log writes). SSE-S3, because S3's log delivery cannot write with a KMS key; S3 delivers through
	// the bucket policy the CDK adds (logging.s3.amazonaws.com, only for the receipts bucket of this account:
	// cdk.json's @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy), so no ACL is needed and ACLs stay disabled.
	accessLogs := awss3.NewBucket(scope, jsii.String("ReceiptsAccessLogsBucket"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-access-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(AccessLogDays)),
		}},
		RemovalPolicy: cfg.removal,
	})

	// Receipts. No autoDeleteObjects: it needs a Node.js custom resource the emulator cannot run, so a
	// local stack deletion leaves a non-empty bucket to the emulator's teardown.
	bucket := awss3.NewBucket(scope, jsii.String("ReceiptsBucket"), &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(cfg.versionBucket),
		RemovalPolicy:          cfg.removal,
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String(ReceiptsAccessLogPrefix),
	})

	providerProps := &awsdynamodb.TableProps{
		PartitionKey:  str("PK"),
		SortKey:       str("SK"),
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Encryption:    awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy: cfg.removal,
	}
	if cfg.isAWS {
		providerProps.PointInTimeRecoverySpecification = tableProps.PointInTimeRecoverySpecification
	}
	providerTable := awsdynamodb.NewTable(scope, jsii.String("SimulatedProviderTable"), providerProps)

	return &data{table: table, bucket: bucket, accessLogs: accessLogs, providerTable: providerTable, providerKey: newProviderAPIKey(scope)}
}
