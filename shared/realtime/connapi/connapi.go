// Package connapi is the adapter over API Gateway's connection management API (PostToConnection): one SigV4-signed
// POST to <callback URL>/@connections/<connection id>. The SDK's apigatewaymanagementapi client would do the same
// call; the module proxy this project builds from does not serve it, and the call is small enough to sign here with
// the SDK's own signer.
package connapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
)

// Doer sends HTTP requests (the SDK's buildable client, with its timeout and CA bundle).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client posts frames to the connections of one WebSocket API stage.
type Client struct {
	base   string // callback URL, e.g. https://<api id>.execute-api.<region>.amazonaws.com/<stage>
	region string
	creds  aws.CredentialsProvider
	http   Doer
	signer *v4.Signer
}

// New returns a client for the stage whose callback URL is base.
func New(base string, cfg aws.Config, httpClient Doer) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("connapi: bad callback URL %q", base)
	}
	return &Client{base: strings.TrimRight(base, "/"), region: cfg.Region, creds: cfg.Credentials, http: httpClient, signer: v4.NewSigner()}, nil
}

// Post sends data to the connection; realtime.ErrGone when API Gateway answers 410 (the client is gone).
func (c *Client) Post(ctx context.Context, connectionID string, data []byte) error {
	endpoint := c.base + "/@connections/" + url.PathEscape(connectionID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	sum := sha256.Sum256(data)
	if err := c.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", c.region, time.Now()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("post to connection: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode == http.StatusGone:
		return realtime.ErrGone
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("post to connection: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
