package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Notification channels. Each is its own consumer with its own queue, so a
// slow or failing channel never holds up another.
const (
	ChannelInbox = "inbox"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Channels lists every notification channel.
var Channels = []string{ChannelInbox, ChannelEmail, ChannelSMS}

// Kinds of message a customer can switch on or off per channel.
const (
	// KindUpdates is the progress of an order that goes well: paid, courier
	// assigned, picked up.
	KindUpdates = "updates"
	// KindOutcomes is how an order ended or what went wrong: delivered, payment
	// failed, cancelled, no courier, refunded.
	KindOutcomes = "outcomes"
)

// Locales the messages are written in.
var Locales = []string{"en", "de"}

// DefaultLocale is used when a customer chose none.
const DefaultLocale = "en"

// ChannelPrefs says which kinds of message a channel carries.
type ChannelPrefs struct {
	Updates  bool `json:"updates"`
	Outcomes bool `json:"outcomes"`
}

// Allows reports whether the channel carries messages of kind.
func (c ChannelPrefs) Allows(kind string) bool {
	switch kind {
	case KindUpdates:
		return c.Updates
	case KindOutcomes:
		return c.Outcomes
	}
	return false
}

// NotificationChannels holds the settings of every channel.
type NotificationChannels struct {
	Inbox ChannelPrefs `json:"inbox"`
	Email ChannelPrefs `json:"email"`
	SMS   ChannelPrefs `json:"sms"`
}

// Preferences is how a customer wants to be told about their orders (GET and
// PUT /me/preferences).
type Preferences struct {
	Email    string               `json:"email"`
	Phone    string               `json:"phone"`
	Locale   string               `json:"locale"`
	Channels NotificationChannels `json:"channels"`
	// UpdatedAt is zero for defaults that were never stored.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// DefaultPreferences are a customer's preferences until they store their own:
// everything in the inbox, every message by email (to the address their
// sign-in token carries, if any), and by SMS only how the order ended, once
// they give a number (SMS costs money per message; updates would triple it).
func DefaultPreferences(email string) Preferences {
	return Preferences{
		Email:  email,
		Locale: DefaultLocale,
		Channels: NotificationChannels{
			Inbox: ChannelPrefs{Updates: true, Outcomes: true},
			Email: ChannelPrefs{Updates: true, Outcomes: true},
			SMS:   ChannelPrefs{Updates: false, Outcomes: true},
		},
	}
}

// Channel returns the settings of a channel (all off for an unknown one).
func (p Preferences) Channel(channel string) ChannelPrefs {
	switch channel {
	case ChannelInbox:
		return p.Channels.Inbox
	case ChannelEmail:
		return p.Channels.Email
	case ChannelSMS:
		return p.Channels.SMS
	}
	return ChannelPrefs{}
}

// Address is where a channel delivers to: the email address, the phone
// number, or for the inbox the customer themselves. "" means nowhere.
func (p Preferences) Address(channel, customerID string) string {
	switch channel {
	case ChannelEmail:
		return p.Email
	case ChannelSMS:
		return p.Phone
	case ChannelInbox:
		return customerID
	}
	return ""
}

// Validate checks every field, naming the first bad one.
func (p Preferences) Validate() error {
	if p.Email != "" && !ValidEmail(p.Email) {
		return Invalid("email", "must be an email address such as name@example.com")
	}
	if p.Phone != "" && !ValidE164(p.Phone) {
		return Invalid("phone", "must be a phone number in E.164 form, such as +4915112345678")
	}
	if !ValidLocale(p.Locale) {
		return Invalid("locale", "must be one of %s", strings.Join(Locales, ", "))
	}
	return nil
}

// ValidLocale reports whether messages can be written in locale l.
func ValidLocale(l string) bool {
	for _, x := range Locales {
		if l == x {
			return true
		}
	}
	return false
}

// ValidE164 reports whether s is a phone number in E.164 form: "+", a
// country code that does not start with 0, at most 15 digits in all.
func ValidE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	return ok && len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0' &&
		onlyBytes(digits, func(c byte) bool { return c >= '0' && c <= '9' })
}

// ValidEmail is a deliberately plain check (one "@", something on both
// sides, a dot in the domain, no spaces or control characters, at most 254
// characters): the real test of an address is the mail that reaches it.
func ValidEmail(s string) bool {
	if len(s) > 254 || !utf8.ValidString(s) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	dot := strings.LastIndexByte(domain, '.')
	if dot <= 0 || dot == len(domain)-1 || strings.HasPrefix(domain, "-") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`<>()[]\,;:"`, r) {
			return false
		}
	}
	return true
}

// DeliveryStatus is where one notification on one channel is.
type DeliveryStatus string

const (
	// DeliverySending is a claim: a consumer is sending it now. A claim older
	// than the consumer's lease was abandoned (a crash) and may be taken over.
	DeliverySending DeliveryStatus = "SENDING"
	// DeliverySent means the channel's provider accepted the message.
	DeliverySent DeliveryStatus = "SENT"
	// DeliverySkipped means the customer opted out or gave no address.
	DeliverySkipped DeliveryStatus = "SKIPPED"
	// DeliveryFailed means the provider refused the message for good (an
	// address it will never deliver to); retrying would not help.
	DeliveryFailed DeliveryStatus = "FAILED"
)

// Final reports whether nothing more will be done for the delivery.
func (s DeliveryStatus) Final() bool {
	return s == DeliverySent || s == DeliverySkipped || s == DeliveryFailed
}

// Why a delivery was skipped.
const (
	SkipOptedOut  = "opted_out"
	SkipNoAddress = "no_address"
)

// Delivery is one notification of one event on one channel. It is keyed by
// (event id, channel) and claimed with a conditional write before anything is
// sent, so that an event delivered many times sends once per channel.
type Delivery struct {
	OrderID    string         `json:"order_id"`
	EventID    string         `json:"event_id"`
	EventType  string         `json:"event_type"`
	CustomerID string         `json:"customer_id"`
	Channel    string         `json:"channel"`
	Status     DeliveryStatus `json:"status"`
	// Reason says why a delivery was skipped or failed.
	Reason string `json:"reason,omitempty"`
	// ProviderMessageID is the id SES or SNS gave the message (inbox: the event id).
	ProviderMessageID string    `json:"provider_message_id,omitempty"`
	ClaimedAt         time.Time `json:"claimed_at"`
	DoneAt            time.Time `json:"done_at,omitzero"`
}
