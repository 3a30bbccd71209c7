package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// What the emulator recorded of the messages the notification channels sent: MiniStack keeps every SES SendEmail
// and every SNS Publish to a phone number and serves them at GET /_ministack/ses/messages and
// GET /_ministack/sns/sms-messages. Tests and the reliability harness count these, never a fake.

// SentEmail is one email SES accepted.
type SentEmail struct {
	MessageID string   `json:"MessageId"`
	Source    string   `json:"Source"`
	To        []string `json:"To"`
	Subject   string   `json:"Subject"`
	BodyText  string   `json:"BodyText"`
	BodyHTML  string   `json:"BodyHtml"`
	Type      string   `json:"Type"`
}

// SentSMS is one SMS SNS accepted.
type SentSMS struct {
	MessageID   string `json:"MessageId"`
	PhoneNumber string `json:"PhoneNumber"`
	Message     string `json:"Message"`
}

// SentEmails returns every email the emulator at endpoint (e.g. http://localhost:4599) recorded.
func SentEmails(ctx context.Context, endpoint string) ([]SentEmail, error) {
	var body struct {
		Messages map[string][]SentEmail `json:"messages"` // by account
	}
	if err := getJSON(ctx, strings.TrimSuffix(endpoint, "/")+"/_ministack/ses/messages", &body); err != nil {
		return nil, err
	}
	var out []SentEmail
	for _, msgs := range body.Messages {
		out = append(out, msgs...)
	}
	return out, nil
}

// SentSMSMessages returns every SMS the emulator at endpoint recorded.
func SentSMSMessages(ctx context.Context, endpoint string) ([]SentSMS, error) {
	var body struct {
		SMS map[string][]SentSMS `json:"sms_messages"` // by phone number
	}
	if err := getJSON(ctx, strings.TrimSuffix(endpoint, "/")+"/_ministack/sns/sms-messages", &body); err != nil {
		return nil, err
	}
	var out []SentSMS
	for _, msgs := range body.SMS {
		out = append(out, msgs...)
	}
	return out, nil
}

func getJSON(ctx context.Context, url string, into any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// The emulator is on this machine: a plain client, no AWS CA bundle involved.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}
