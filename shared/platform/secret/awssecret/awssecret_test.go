package awssecret

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

type fakeSM struct {
	asked []secretsmanager.GetSecretValueInput
	out   *secretsmanager.GetSecretValueOutput
	err   error
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.asked = append(f.asked, *in)
	return f.out, f.err
}

func TestCurrentReadsTheSecretsCurrentString(t *testing.T) {
	value := "k3y"
	sm := &fakeSM{out: &secretsmanager.GetSecretValueOutput{SecretString: &value}}
	got, err := Current{Client: sm, SecretID: "arn:aws:secretsmanager:us-east-1:1:secret:provider-key-AbCdEf"}.Fetch(context.Background())
	if err != nil || got != "k3y" {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	// No stage and no version named: Secrets Manager answers AWSCURRENT, the operator's last put.
	if len(sm.asked) != 1 || *sm.asked[0].SecretId != "arn:aws:secretsmanager:us-east-1:1:secret:provider-key-AbCdEf" ||
		sm.asked[0].VersionStage != nil || sm.asked[0].VersionId != nil {
		t.Fatalf("asked %+v", sm.asked)
	}
}

func TestCurrentFailsWithoutAString(t *testing.T) {
	for name, sm := range map[string]*fakeSM{
		"error":         {err: errors.New("AccessDeniedException")},
		"binary secret": {out: &secretsmanager.GetSecretValueOutput{SecretBinary: []byte{1}}},
	} {
		if v, err := (Current{Client: sm, SecretID: "s"}).Fetch(context.Background()); err == nil {
			t.Errorf("%s: Fetch = %q with no error", name, v)
		}
	}
}
