package tenancy

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of a bulk invitation upload.
const (
	MaxCSVRows  = 1000
	MaxCSVBytes = 1 << 20
)

// InviteRow is one person to invite, from a form or a CSV line.
type InviteRow struct {
	// Line is the CSV line number (0 for the single-invitation form).
	Line  int
	Email string
	Name  string
	Role  Role
	Kinds []string
}

// RowProblem says why a CSV line was not imported.
type RowProblem struct {
	Line   int
	Email  string
	Reason string
}

// CSVError is a problem with the whole file: nothing in it is imported.
type CSVError struct{ Reason string }

func (e *CSVError) Error() string { return "tenancy: invitation CSV: " + e.Reason }

// ParseInvitationsCSV reads an upload with a header row naming the
// columns email, name, role and kinds (email and role are required; the
// order is free). Each data line becomes either a row to invite or a
// problem with its line number; a file that cannot be read as a whole is a
// *CSVError.
func ParseInvitationsCSV(r io.Reader) ([]InviteRow, []RowProblem, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("tenancy: read invitation CSV: %w", err)
	}
	if len(raw) > MaxCSVBytes {
		return nil, nil, &CSVError{Reason: "The file is larger than 1 MB. Split it into smaller files."}
	}
	if !utf8.Valid(raw) {
		return nil, nil, &CSVError{Reason: "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, &CSVError{Reason: "The file is empty. It needs a header row: email,name,role,kinds."}
	}
	if err != nil {
		return nil, nil, csvSyntaxError(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[h]; dup && h != "" {
			return nil, nil, &CSVError{Reason: fmt.Sprintf("The header names the column %q twice.", h)}
		}
		cols[h] = i
	}
	for _, need := range []string{"email", "role"} {
		if _, ok := cols[need]; !ok {
			return nil, nil, &CSVError{Reason: "The first row must be a header naming the columns email,name,role,kinds (email and role are required)."}
		}
	}
	cell := func(rec []string, col string) string {
		i, ok := cols[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}

	var rows []InviteRow
	var problems []RowProblem
	seen := map[string]int{}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvSyntaxError(err)
		}
		if n >= MaxCSVRows {
			return nil, nil, &CSVError{Reason: fmt.Sprintf("The file has more than %d rows. Split it into smaller files.", MaxCSVRows)}
		}
		line, _ := cr.FieldPos(0)
		row := InviteRow{Line: line, Name: cell(rec, "name")}
		problem := func(reason string) {
			problems = append(problems, RowProblem{Line: line, Email: cell(rec, "email"), Reason: reason})
		}
		email, reason := CheckEmail(cell(rec, "email"))
		if reason != "" {
			problem(reason)
			continue
		}
		row.Email = email
		role, reason := CheckInviteRole(cell(rec, "role"))
		if reason != "" {
			problem(reason)
			continue
		}
		row.Role = role
		kinds, reason := CheckKinds(role, cell(rec, "kinds"))
		if reason != "" {
			problem(reason)
			continue
		}
		row.Kinds = kinds
		if utf8.RuneCountInString(row.Name) > 120 {
			problem("The name is longer than 120 characters.")
			continue
		}
		if first, dup := seen[email]; dup {
			problem(fmt.Sprintf("Duplicate in the file: %s is already on line %d.", email, first))
			continue
		}
		seen[email] = line
		rows = append(rows, row)
	}
	if len(rows)+len(problems) == 0 {
		return nil, nil, &CSVError{Reason: "The file has a header but no people in it."}
	}
	return rows, problems, nil
}

func csvSyntaxError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CSVError{Reason: fmt.Sprintf("Line %d cannot be read as CSV (%v). Nothing was imported.", pe.Line, pe.Err)}
	}
	return &CSVError{Reason: "The file cannot be read as CSV. Nothing was imported."}
}

// CheckEmail normalises an e-mail address, or says what is wrong with it.
func CheckEmail(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "The e-mail address is missing."
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", fmt.Sprintf("%q is not an e-mail address.", truncate(s, 80))
	}
	return strings.ToLower(s), ""
}

// CheckInviteRole reads a role an invitation may carry.
func CheckInviteRole(s string) (Role, string) {
	role, ok := ParseRole(s)
	switch {
	case strings.TrimSpace(s) == "":
		return "", "The role is missing (admin, coordinator, practitioner or member)."
	case !ok:
		return "", fmt.Sprintf("Unknown role %q: use admin, coordinator, practitioner or member.", truncate(s, 40))
	case !slices.Contains(InvitableRoles, role):
		return "", "Ownership cannot be given by invitation: invite the person as an admin, then transfer ownership."
	}
	return role, ""
}

// CheckKinds reads practitioner kinds strictly: an unknown kind is an
// error, and a practitioner needs at least one.
func CheckKinds(role Role, s string) ([]string, string) {
	var out []string
	for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '|' }) {
		if !slices.Contains(Kinds, part) {
			return nil, fmt.Sprintf("Unknown practitioner kind %q: use mentor, coach or supervisor.", truncate(part, 40))
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	if role == RolePractitioner && len(out) == 0 {
		return nil, "A practitioner needs at least one kind: mentor, coach or supervisor."
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Kinds, a) - slices.Index(Kinds, b) })
	return out, ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
