package billing

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is billing's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "payments",
		Tables: map[string]string{
			"payments":         "kept for the legal retention of accounting records (and refunds), anonymised: the payer is the deleted account",
			"stripe_customers": "deleted (the link to the person's Stripe customer; the payments keep Stripe's own reference for refunds)",
			"seat_assignments": "the person's seat is given back; seats they assigned to others stay, naming the deleted account",
		},
		Export: []personaldata.Query{
			{Name: "payments", PerOrg: true, SQL: `SELECT c.title AS course, p.kind, p.quantity, p.amount_minor, p.currency, p.status, p.receipt_url, p.paid_at, p.refunded_at, p.created_at
FROM payments p LEFT JOIN courses c ON c.org_id = p.org_id AND c.id = p.course_id WHERE p.org_id = :org AND p.user_id = :user ORDER BY p.created_at`},
			{Name: "seats_assigned_to_you", PerOrg: true, SQL: `SELECT c.title AS course, s.assigned_at FROM seat_assignments s
LEFT JOIN courses c ON c.org_id = s.org_id AND c.id = s.course_id WHERE s.org_id = :org AND s.user_id = :user ORDER BY s.assigned_at`},
			{Name: "stripe_customer", PerOrg: true, SQL: "SELECT customer_id, created_at FROM stripe_customers WHERE org_id = :org AND user_id = :user"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: "DELETE FROM stripe_customers WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM seat_assignments WHERE org_id = :org AND user_id = :user"},
		},
	}
}
