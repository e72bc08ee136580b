package billing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// Demo events. stripe-mock answers API calls but never calls back, so in a
// demo (or a local try-out) nothing would ever tell the app that a
// checkout was paid. SimulatedEvent builds the event Stripe would send for
// a payment the app recorded, and SendEvent signs it with the webhook
// secret and posts it to the app's own endpoint, which handles it exactly
// as it would handle Stripe's.

// Simulated event types.
const (
	SimulatePaid   = "checkout.session.completed"
	SimulateRefund = "charge.refunded"
)

// SimulatedEvent builds the event of type typ (SimulatePaid or
// SimulateRefund) for a payment, created at at. The event id is derived
// from the payment, so sending it twice is a repeat the webhook ignores.
func SimulatedEvent(pay *Payment, typ string, at time.Time) ([]byte, error) {
	var object map[string]any
	switch typ {
	case SimulatePaid:
		if pay.CheckoutSessionID == nil {
			return nil, fmt.Errorf("billing: payment %s has no checkout session: the checkout was never started", pay.ID)
		}
		if pay.Status != PaymentOpen && pay.Status != PaymentProcessing {
			return nil, fmt.Errorf("billing: payment %s is %s, not waiting for its payment", pay.ID, pay.Status)
		}
		object = map[string]any{
			"id": *pay.CheckoutSessionID, "object": "checkout.session", "mode": "payment", "status": "complete",
			"payment_status": "paid", "payment_intent": SimulatedIntent(pay), "customer": pay.CustomerID,
			"amount_total": pay.AmountMinor, "currency": pay.Currency, "metadata": pay.Metadata(),
		}
	case SimulateRefund:
		if pay.Status != PaymentPaid || pay.PaymentIntentID == nil {
			return nil, fmt.Errorf("billing: payment %s is %s: only a paid payment can be refunded", pay.ID, pay.Status)
		}
		object = map[string]any{
			"id": "ch_sim_" + compactID(pay), "object": "charge", "paid": true, "refunded": true,
			"amount": pay.AmountMinor, "amount_refunded": pay.AmountMinor, "currency": pay.Currency,
			"payment_intent": *pay.PaymentIntentID, "metadata": pay.Metadata(),
		}
	default:
		return nil, fmt.Errorf("billing: cannot simulate %q", typ)
	}
	return json.Marshal(map[string]any{
		"id": "evt_sim_" + strings.ReplaceAll(typ, ".", "_") + "_" + compactID(pay), "object": "event", "type": typ,
		"api_version": "2023-10-16", "created": at.Unix(), "livemode": false,
		"data": map[string]any{"object": object},
	})
}

// SimulatedIntent is the payment intent id a simulated payment is paid with.
func SimulatedIntent(pay *Payment) string { return "pi_sim_" + compactID(pay) }

func compactID(pay *Payment) string { return strings.ReplaceAll(pay.ID.String(), "-", "") }

// SendEvent signs payload with secret, as Stripe does, at the time at, and
// posts it to baseURL's /webhooks/stripe. It returns the status and body
// of the answer.
func SendEvent(ctx context.Context, client *http.Client, baseURL, secret string, payload []byte, at time.Time) (int, string, error) {
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+"/webhooks/stripe", bytes.NewReader(payload))
	if err != nil {
		return 0, "", fmt.Errorf("billing: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", signed.Header)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("billing: post the webhook to %s: %w", baseURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("billing: read the webhook's answer: %w", err)
	}
	return resp.StatusCode, string(body), nil
}
