package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// maxWebhookBody bounds what the webhook reads; Stripe events are far
// smaller.
const maxWebhookBody = 64 << 10

// webhookTolerance is how far a signed payload's timestamp may be from
// now, in either direction.
const webhookTolerance = 5 * time.Minute

// ErrUndecodable means a correctly signed event could not be read (the
// likely failure after a Stripe API version change): it is answered 500,
// so that Stripe retries it, and logged, so that someone sees it.
var ErrUndecodable = errors.New("billing: signed event cannot be decoded")

// ReceiveWebhook is POST /webhooks/stripe. The path goes straight down:
// verify the signature and the timestamp (400, nothing changes), decode
// the event (500 when a signed body cannot be read), then one service
// method per event kind (events.go) does the work through the store.
// Everything verified and decoded is acknowledged with 200, even when it
// names nothing we know, so that Stripe does not retry it forever; only
// our own failures are 500 (Stripe then retries).
func (h *Handlers) ReceiveWebhook(c *gin.Context) {
	s := h.Service
	if s.WebhookSecret == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": "webhooks are not configured"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxWebhookBody))
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "body too large or unreadable"})
		return
	}
	header := c.GetHeader("Stripe-Signature")
	// Real time, as Stripe's library uses for the past: the signature was made by Stripe's clock.
	if err := verifySignature(body, header, s.WebhookSecret, time.Now()); err != nil {
		h.observe("invalid")
		s.Log.WarnContext(c.Request.Context(), "stripe webhook refused", "err", err)
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid signature or payload"})
		return
	}
	var ev stripe.Event
	outcome, err := "", json.Unmarshal(body, &ev)
	if err != nil {
		err = fmt.Errorf("%w: %v", ErrUndecodable, err)
	} else {
		outcome, err = s.HandleEvent(c.Request.Context(), ev)
	}
	if errors.Is(err, tenancy.ErrSuspended) {
		h.observe("suspended")
		s.Log.WarnContext(c.Request.Context(), "stripe event for a suspended organisation: Stripe will send it again", "event", ev.ID, "type", ev.Type)
		c.Header("Retry-After", "3600")
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "the organisation is suspended; please retry later"})
		return
	}
	if err != nil {
		h.observe("failed")
		s.Log.ErrorContext(c.Request.Context(), "stripe webhook failed", "event", ev.ID, "type", ev.Type, "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "processing failed; please retry"})
		return
	}
	h.observe(outcomeKind(outcome))
	c.JSON(http.StatusOK, gin.H{"received": true, "outcome": outcome})
}

// observe counts a webhook's outcome for the metrics, if wired.
func (h *Handlers) observe(kind string) {
	if h.WebhookOutcome != nil {
		h.WebhookOutcome("stripe", kind)
	}
}

// outcomeKind folds an event's recorded outcome into a few kinds, so that
// the metric's label stays small.
func outcomeKind(outcome string) string {
	switch outcome {
	case outcomeDuplicate:
		return "duplicate"
	case outcomeIgnored, outcomeNoReceipt:
		return "ignored"
	case outcomeUnknownOrg, outcomeUnknownPayment:
		return "unmatched"
	default:
		return "processed"
	}
}

// verifySignature checks the Stripe-Signature header against the body,
// and refuses a timestamp further than webhookTolerance from now in
// either direction (Stripe's library checks only the past).
func verifySignature(body []byte, header, secret string, now time.Time) error {
	if err := webhook.ValidatePayloadWithTolerance(body, header, secret, webhookTolerance); err != nil {
		return err
	}
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("billing: webhook timestamp %q: %w", v, err)
			}
			if at := time.Unix(sec, 0); at.After(now.Add(webhookTolerance)) {
				return fmt.Errorf("billing: webhook timestamp %s is in the future", at.UTC().Format(time.RFC3339))
			}
			return nil
		}
	}
	return errors.New("billing: webhook signature has no timestamp")
}

// HandleEvent sends a verified event to the service method of its kind.
// An event of a kind it uses whose object cannot be decoded is
// ErrUndecodable, and nothing is recorded (Stripe will retry it).
func (s *Service) HandleEvent(ctx context.Context, ev stripe.Event) (string, error) {
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
		cs := new(stripe.CheckoutSession)
		if err := decodeObject(ev, cs); err != nil {
			return "", err
		}
		switch ev.Type {
		case "checkout.session.completed":
			return s.SessionCompleted(ctx, ev, cs)
		case "checkout.session.async_payment_succeeded":
			return s.SessionPaidLater(ctx, ev, cs)
		default:
			return s.SessionClosed(ctx, ev, cs)
		}
	case "charge.refunded", "charge.succeeded":
		ch := new(stripe.Charge)
		if err := decodeObject(ev, ch); err != nil {
			return "", err
		}
		if ev.Type == "charge.refunded" {
			return s.ChargeRefunded(ctx, ev, ch)
		}
		return s.ChargeSucceeded(ctx, ev, ch)
	}
	return s.Ignore(ctx, ev)
}

// decodeObject reads the object an event carries.
func decodeObject(ev stripe.Event, into any) error {
	if ev.Data == nil {
		return fmt.Errorf("%w: %s %s has no data", ErrUndecodable, ev.ID, ev.Type)
	}
	if err := json.Unmarshal(ev.Data.Raw, into); err != nil {
		return fmt.Errorf("%w: %s %s: %v", ErrUndecodable, ev.ID, ev.Type, err)
	}
	return nil
}
