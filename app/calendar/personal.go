package calendar

import "github.com/leadershiptoolbox/toolbox/app/personaldata"

// PersonalData is the calendar's part of a person's data.
func PersonalData() personaldata.Spec {
	return personaldata.Spec{
		Domain: "calendar",
		Tables: map[string]string{
			"availability_rules":     "deleted",
			"availability_overrides": "deleted",
			"booking_settings":       "deleted",
			"session_attendees":      "deleted: the person's seats and attendance",
			"reminder_deliveries":    "deleted",
			"calendar_feeds":         "deleted: the calendar subscription stops working",
			"calendar_sessions":      "kept for the other people who took part; a practitioner's sessions still to come are cancelled; who created or cancelled one is the deleted account",
			"series":                 "kept with their sessions",
		},
		Export: []personaldata.Query{
			{Name: "sessions", PerOrg: true, SQL: `SELECT s.title, s.kind, s.starts_at, s.ends_at, s.time_zone, s.place, s.status, s.cancel_reason,
CASE WHEN s.practitioner_id = :user THEN 'practitioner' ELSE 'member' END AS your_side
FROM calendar_sessions s WHERE s.org_id = :org AND (s.practitioner_id = :user OR EXISTS
(SELECT 1 FROM session_attendees a WHERE a.org_id = s.org_id AND a.session_id = s.id AND a.user_id = :user)) ORDER BY s.starts_at`},
			{Name: "attendance", PerOrg: true, SQL: `SELECT s.title, s.starts_at, a.status, a.waitlist_position, a.created_at, a.updated_at
FROM session_attendees a JOIN calendar_sessions s ON s.org_id = a.org_id AND s.id = a.session_id
WHERE a.org_id = :org AND a.user_id = :user ORDER BY s.starts_at`},
			{Name: "availability_rules", PerOrg: true, SQL: "SELECT weekday, start_minute, end_minute, time_zone FROM availability_rules WHERE org_id = :org AND practitioner_id = :user ORDER BY weekday, start_minute"},
			{Name: "availability_overrides", PerOrg: true, SQL: "SELECT day, day_off, start_minute, end_minute FROM availability_overrides WHERE org_id = :org AND practitioner_id = :user ORDER BY day"},
			{Name: "booking_settings", PerOrg: true, SQL: `SELECT buffer_before_min, buffer_after_min, min_notice_min, window_days, max_per_day, max_per_week
FROM booking_settings WHERE org_id = :org AND practitioner_id = :user`},
			{Name: "calendar_subscriptions", SQL: "SELECT created_at FROM calendar_feeds WHERE user_id = :user"},
			{Name: "series", PerOrg: true, SQL: "SELECT interval_days, count AS occurrences, until, first_start, created_at FROM series WHERE org_id = :org AND practitioner_id = :user ORDER BY created_at"},
			{Name: "reminders_sent", PerOrg: true, SQL: "SELECT offset_minutes, delivered_at FROM reminder_deliveries WHERE org_id = :org AND user_id = :user ORDER BY delivered_at"},
		},
		Erase: []personaldata.Step{
			{PerOrg: true, SQL: `UPDATE calendar_sessions SET status = 'cancelled', cancel_reason = 'The practitioner left.', cancelled_at = :now, version = version + 1
WHERE org_id = :org AND practitioner_id = :user AND status = 'scheduled' AND starts_at > :now`},
			{PerOrg: true, SQL: "DELETE FROM reminder_deliveries WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM session_attendees WHERE org_id = :org AND user_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM availability_overrides WHERE org_id = :org AND practitioner_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM availability_rules WHERE org_id = :org AND practitioner_id = :user"},
			{PerOrg: true, SQL: "DELETE FROM booking_settings WHERE org_id = :org AND practitioner_id = :user"},
			{SQL: "DELETE FROM calendar_feeds WHERE user_id = :user"},
		},
	}
}
